// One A2A call as both ends observe it (docs/observability.md): its metrics and its call record
// (access log line, span), started together and ended once with the A2A error name, whoever
// ends it first (a stream can fail after its last event was counted).
import type { CallInfo, CallObserver } from '../../telemetry/types.js';
import type { TraceContext } from '../../telemetry/types.js';
import { asA2aError } from './errors.js';
import type { CallMetrics } from './metrics.js';

export interface ObservedCall {
  /** The trace context to pass on with the call. */
  readonly propagate: TraceContext;
  /** Ends the call (`err` undefined: ok); later calls only count metrics. */
  end(err?: unknown): void;
}

export function observeCall(metrics: CallMetrics, calls: CallObserver, info: CallInfo): ObservedCall {
  const counted = metrics.start(info.method);
  const record = calls.start(info);
  let ended = false;
  return {
    propagate: record.propagate,
    end(err?: unknown) {
      counted(err);
      if (ended) return;
      ended = true;
      record.end(err === undefined ? 'ok' : asA2aError(err).a2aName);
    },
  };
}
