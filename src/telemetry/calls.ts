// The CallObserver the adapters use (docs/observability.md): an access log line per call on the
// `access` child logger (route or service, method, tool, caller, status, duration; never a payload
// or a token) and, when tracing is configured, a span per call. With tracing off the per-call cost
// is the log line and one null check: no provider, no exporter, no span objects.
import type { Logger } from '../util/log.js';
import type { Tracing } from './tracing.js';
import type { CallInfo, CallObserver, CallRecord, TraceContext } from './types.js';

const NONE: TraceContext = {};

export function createCallObserver(logger: Logger, tracing: Tracing | undefined): CallObserver {
  const access = logger.child({ component: 'access' });
  return {
    start(info: CallInfo): CallRecord {
      const started = performance.now();
      const span = tracing?.startSpan(info);
      return {
        propagate: span?.context ?? info.parent ?? NONE,
        end(status) {
          span?.end(status);
          if (!access.isLevelEnabled('info')) return;
          access.info(
            {
              [info.side]: info.name,
              protocol: info.protocol,
              method: info.method,
              ...(info.tool !== undefined ? { tool: info.tool } : {}),
              ...(info.caller !== undefined ? { caller: info.caller } : {}),
              ...(info.remoteName !== undefined ? { remote: info.remoteName } : {}),
              status,
              durationMs: Math.round((performance.now() - started) * 1000) / 1000,
            },
            'call',
          );
        },
      };
    },
  };
}

/** An observer that records nothing (library objects built without one). */
export const NO_CALL_OBSERVER: CallObserver = {
  start: (info) => ({ propagate: info.parent ?? NONE, end: () => {} }),
};

/** The W3C trace context of HTTP request headers (first value when repeated). */
export function traceContextOf(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): TraceContext | undefined {
  const traceparent = first(headers['traceparent']);
  if (traceparent === undefined) return undefined;
  const tracestate = first(headers['tracestate']);
  return tracestate === undefined ? { traceparent } : { traceparent, tracestate };
}

/** Adds a trace context to SLIMRPC metadata or HTTP headers (in place; returns `into`). */
export function withTraceContext(into: Record<string, string>, ctx: TraceContext): Record<string, string> {
  if (ctx.traceparent !== undefined) into['traceparent'] = ctx.traceparent;
  if (ctx.tracestate !== undefined) into['tracestate'] = ctx.tracestate;
  return into;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
