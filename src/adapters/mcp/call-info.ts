// What the access log and traces record of an MCP message (docs/mcp-over-slimrpc.md §3.2, trace context):
// the tool a `tools/call` names, and the W3C trace context a client may put in `_meta` (MCP's
// place for it when there is no HTTP header, e.g. over stdio). Read loosely: peers' JSON.
import type { TraceContext } from '../../telemetry/types.js';

/** `{ tool }` for a `tools/call` naming one, else `{}`. */
export function toolOf(m: { method?: unknown; params?: unknown }): { tool?: string } {
  if (m.method !== 'tools/call') return {};
  const name = (m.params as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? { tool: name } : {};
}

/** The trace context in `params._meta` (`traceparent`, `tracestate`), if any. */
export function metaTraceContext(m: object): TraceContext | undefined {
  const meta = ((m as { params?: unknown }).params as { _meta?: unknown } | undefined)?._meta;
  if (typeof meta !== 'object' || meta === null) return undefined;
  const { traceparent, tracestate } = meta as Record<string, unknown>;
  if (typeof traceparent !== 'string') return undefined;
  return typeof tracestate === 'string' ? { traceparent, tracestate } : { traceparent };
}
