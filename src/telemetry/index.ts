// Public surface of telemetry (docs/observability.md): the adapters' CallObserver and the helpers
// that move W3C trace context between headers and metadata. The OpenTelemetry SDK stays in
// tracing.ts, which the composition root imports (and builds) only when telemetry is configured.
export type { CallInfo, CallObserver, CallRecord, TraceContext } from './types.js';
export { createCallObserver, NO_CALL_OBSERVER, traceContextOf, withTraceContext } from './calls.js';
export type { Tracing, TracingOptions } from './tracing.js';
