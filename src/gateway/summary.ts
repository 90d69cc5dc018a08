// What the gateway serves, as short human lines: printed by `run` once started (with live states)
// and by `check` from the configuration alone. One place, so both say the same thing the same way.
import { formatHostPort } from '../config/host-port.js';
import type { GatewayConfig, RouteConfig, ServiceConfig } from '../config/types.js';
import { formatName } from '../slim/dataplane/name.js';
import type { SlimName } from '../slim/dataplane/name.js';
import type { Supervisor, Unit, UnitState } from './supervisor.js';
import { describeTarget } from './route-unit.js';
import { describeBackend } from './service-unit.js';

export interface RouteSummary {
  readonly path: string;
  readonly url: string;
  readonly protocol: 'mcp' | 'a2a';
  readonly target: string;
  readonly state: UnitState;
  readonly error?: string;
}

export interface ServiceSummary {
  readonly name: string;
  readonly protocol: 'mcp' | 'a2a';
  readonly backend: string;
  readonly state: UnitState;
  readonly error?: string;
}

export interface GatewaySummary {
  /** `embedded node on 127.0.0.1:46357` or the node URL. */
  readonly node: string;
  /** The gateway's full SLIM name. */
  readonly name: string;
  readonly mls: boolean;
  /** Base URL of the local endpoints. */
  readonly http: string;
  readonly routes: readonly RouteSummary[];
  readonly services: readonly ServiceSummary[];
}

const PROTO = { mcp: 'MCP', a2a: 'A2A' } as const;

function routeLine(protocol: 'mcp' | 'a2a', url: string, target: string): string {
  const card = protocol === 'a2a' ? `  (agent card ${url}/.well-known/agent-card.json)` : '';
  return `${PROTO[protocol]} route  ${url} -> ${target}${card}`;
}

function serviceLine(name: string, backend: string): string {
  return `service    ${name} <- ${backend}`;
}

/** The summary of a running gateway, from its parts. */
export function buildSummary(p: {
  readonly config: GatewayConfig;
  readonly nodeAddress?: string;
  readonly appName?: SlimName;
  readonly url: string;
  readonly routes: readonly { config: RouteConfig; sup: Supervisor<Unit> }[];
  readonly services: readonly { config: ServiceConfig; sup: Supervisor<Unit> }[];
}): GatewaySummary {
  const { slim } = p.config;
  const unit = (sup: Supervisor<Unit>) => ({
    state: sup.state,
    ...(sup.lastError ? { error: sup.lastError } : {}),
  });
  return {
    node:
      slim.node.kind === 'embedded'
        ? `embedded node on ${p.nodeAddress ?? formatHostPort(slim.node.listen)}`
        : slim.node.url,
    name: formatName(p.appName ?? slim.name),
    mls: slim.mls,
    http: p.url,
    routes: p.routes.map(({ config: r, sup }) => ({
      path: r.path,
      url: `${p.url}${r.path}`,
      protocol: r.protocol,
      target: describeTarget(r),
      ...unit(sup),
    })),
    services: p.services.map(({ config: s, sup }) => ({
      name: formatName(s.name),
      protocol: s.kind,
      backend: describeBackend(s),
      ...unit(sup),
    })),
  };
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
    `identity   ${describeIdentity(c)}`,
    ...c.routes.map((r) => routeLine(r.protocol, `${http}${r.path}`, describeTarget(r))),
    ...c.services.map((v) => serviceLine(formatName(v.name), describeBackend(v))),
    `access     ${c.http.bearerTokens.length > 0 ? `bearer token required (${c.http.bearerTokens.length})` : 'no bearer token'}, listening on ${formatHostPort(c.http.listen)}`,
  ];
}

function describeIdentity(c: GatewayConfig): string {
  const id = c.slim.identity;
  if (id.kind === 'sharedSecret') return 'shared secret (development)';
  const sources = [
    ...(id.trust.keyFiles.length > 0 ? [`${id.trust.keyFiles.length} key file(s)`] : []),
    ...(id.trust.jwksUrl !== undefined ? [id.trust.jwksUrl] : []),
  ];
  return `JWT, subject ${id.subject}${id.issuer !== undefined ? `, issuer ${id.issuer}` : ''}; trusts ${sources.join(' and ')}`;
}
