// What the gateway serves, as short human lines: printed by `run` once started (with live states)
// and by `check` from the configuration alone. One place, so both say the same thing the same way.
import { formatHostPort } from '../config/host-port.js';
import type { GatewayConfig } from '../config/types.js';
import { formatName } from '../slim/dataplane/name.js';
import type { GatewaySummary } from '../gateway.js';
import { describeTarget } from './route-unit.js';
import { describeBackend } from './service-unit.js';

const PROTO = { mcp: 'MCP', a2a: 'A2A' } as const;

function routeLine(protocol: 'mcp' | 'a2a', url: string, target: string): string {
  const card = protocol === 'a2a' ? `  (agent card ${url}/.well-known/agent-card.json)` : '';
  return `${PROTO[protocol]} route  ${url} -> ${target}${card}`;
}

function serviceLine(name: string, backend: string): string {
  return `service    ${name} <- ${backend}`;
}

/** The startup banner of a running gateway. */
export function summaryLines(s: GatewaySummary): string[] {
  const state = (u: { state: string; error?: string }) =>
    u.state === 'up' ? '' : `  [${u.state}${u.error ? `: ${u.error}` : ''}]`;
  return [
    `SLIM node  ${s.node} (MLS ${s.mls ? 'on' : 'OFF'})`,
    `SLIM name  ${s.name}`,
    ...s.routes.map((r) => routeLine(r.protocol, r.url, r.target) + state(r)),
    ...s.services.map((v) => serviceLine(v.name, v.backend) + state(v)),
    `probes     ${s.http}/healthz ${s.http}/readyz ${s.http}/metrics`,
  ];
}

/** The same, from a configuration that is not running (for `check`). */
export function configSummaryLines(c: GatewayConfig): string[] {
  const http = `http://${formatHostPort(c.http.listen)}`;
  const node =
    c.slim.node.kind === 'embedded'
      ? `embedded node on ${formatHostPort(c.slim.node.listen)}`
      : c.slim.node.url;
  return [
    `SLIM node  ${node} (MLS ${c.slim.mls ? 'on' : 'OFF'})`,
    `SLIM name  ${formatName(c.slim.name)}`,
    ...c.routes.map((r) => routeLine(r.protocol, `${http}${r.path}`, describeTarget(r))),
    ...c.services.map((v) => serviceLine(formatName(v.name), describeBackend(v))),
    `access     ${c.http.bearerTokens.length > 0 ? `bearer token required (${c.http.bearerTokens.length})` : 'no bearer token'}, listening on ${formatHostPort(c.http.listen)}`,
  ];
}
