// The MCP adapter's Prometheus series (names are part of the /metrics contract). Calls, errors
// (JSON-RPC error codes and SLIMRPC statuses) and latency by MCP method, open sessions, sessions
// refused at the limit, and dropped server messages; by route on the ingress, by service on the egress. Method labels are limited to
// MCP's own method names (anything else is "other") so a client cannot grow the label set.
import type { MetricsRegistry } from '../../util/metrics.js';

const KNOWN_METHODS = new Set([
  'initialize',
  'ping',
  'server/discover',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'subscriptions/listen',
  'tasks/get',
  'tasks/list',
  'tasks/result',
  'tasks/cancel',
  'invalid',
]);

export function methodLabel(method: string): string {
  return KNOWN_METHODS.has(method) ? method : 'other';
}

export interface AdapterMetrics {
  /** One finished call: outcome is 'ok', a JSON-RPC error code or a status name. */
  call(method: string, outcome: string, seconds: number): void;
  /** Reports the number of open sessions whenever /metrics is rendered. */
  sessions(count: () => number): void;
  dropped(): void;
  /** A new MCP session refused: the limit of sessions was reached. */
  refused(): void;
  /** A session closed without its client asking: idle, abandoned, or reclaimed for a newcomer. */
  reclaimed(reason: string): void;
  /** Reports the sessions' server memory (bytes in all, and the largest) whenever /metrics is rendered. */
  memory(sample: () => { total: number; max: number; measured: number }): void;
}

function build(
  registry: MetricsRegistry | undefined,
  side: 'ingress' | 'egress',
  labels: Record<string, string>,
) {
  if (!registry) {
    return {
      call: () => {},
      sessions: () => {},
      dropped: () => {},
      refused: () => {},
      reclaimed: () => {},
      memory: () => {},
    } satisfies AdapterMetrics;
  }
  const p = `slim_gateway_mcp_${side}`;
  const where = Object.keys(labels);
  const byMethod = [...where, 'method'];
  const calls = registry.counter(
    `${p}_requests_total`,
    `MCP requests handled by the ${side}, by method`,
    byMethod,
  );
  const errors = registry.counter(
    `${p}_errors_total`,
    `MCP requests of the ${side} that ended in a JSON-RPC error or a SLIMRPC failure, by code`,
    [...byMethod, 'code'],
  );
  const latency = registry.histogram(
    `${p}_request_seconds`,
    `MCP request latency at the ${side}, seconds`,
    byMethod,
  );
  const sessions = registry.gauge(`${p}_sessions`, `Open MCP sessions at the ${side}`, where);
  const dropped = registry.counter(
    `${p}_dropped_total`,
    `Server messages the ${side} could not deliver`,
    where,
  );
  const refused = registry.counter(
    `${p}_sessions_refused_total`,
    `New MCP sessions the ${side} refused because it held its limit (TooManySessions)`,
    where,
  );
  const reclaimed = registry.counter(
    `${p}_sessions_reclaimed_total`,
    `MCP sessions the ${side} closed without their client asking, by reason (idle, abandoned, reclaimed)`,
    [...where, 'reason'],
  );
  const memoryTotal = registry.gauge(
    `${p}_session_memory_bytes`,
    `Resident memory of the MCP server processes of the ${side}'s sessions (stdio servers), bytes`,
    where,
  );
  const memoryMax = registry.gauge(
    `${p}_session_memory_max_bytes`,
    `Resident memory of the largest MCP server process of one session at the ${side}, bytes`,
    where,
  );
  const measured = registry.gauge(
    `${p}_session_processes`,
    `MCP server processes running for the ${side}'s sessions (the ones measured)`,
    where,
  );
  return {
    reclaimed(reason: string) {
      reclaimed.inc({ ...labels, reason });
    },
    memory(sample) {
      memoryTotal.collect(() => {
        const m = sample();
        memoryTotal.set(labels, m.total);
        memoryMax.set(labels, m.max);
        measured.set(labels, m.measured);
      });
    },
    call(method: string, outcome: string, seconds: number) {
      const l = { ...labels, method: methodLabel(method) };
      calls.inc(l);
      latency.observe(l, seconds);
      if (outcome !== 'ok') errors.inc({ ...l, code: outcome });
    },
    sessions(count: () => number) {
      sessions.collect(() => sessions.set(labels, count()));
    },
    dropped() {
      dropped.inc(labels);
    },
    refused() {
      refused.inc(labels);
    },
  } satisfies AdapterMetrics;
}

export function egressMetrics(registry: MetricsRegistry | undefined, service: string): AdapterMetrics {
  return build(registry, 'egress', { service });
}

export function ingressMetrics(registry: MetricsRegistry | undefined, route: string): AdapterMetrics {
  return build(registry, 'ingress', { route });
}
