// A2A call metrics, when a registry is injected: calls, errors (by A2A error name) and latency
// (to the last event for streams), labelled by route (ingress) or service (egress) and method.
// Label values are route paths, SLIM names and method names only.
import type { MetricsRegistry } from '../../util/metrics.js';
import { asA2aError } from './errors.js';

export interface CallMetrics {
  /** Starts timing a call; the returned function records its end (with the error, if any). */
  start(method: string): (err?: unknown) => void;
}

const NOOP: CallMetrics = { start: () => () => {} };

export function callMetrics(
  registry: MetricsRegistry | undefined,
  side: 'ingress' | 'egress',
  labels: Readonly<Record<string, string>>,
): CallMetrics {
  if (!registry) return NOOP;
  const names = [...Object.keys(labels), 'method'];
  const calls = registry.counter(
    `slim_gateway_a2a_${side}_calls_total`,
    `A2A calls through the ${side}.`,
    names,
  );
  const errors = registry.counter(
    `slim_gateway_a2a_${side}_errors_total`,
    `A2A calls through the ${side} that failed, by A2A error.`,
    [...names, 'error'],
  );
  const latency = registry.histogram(
    `slim_gateway_a2a_${side}_call_duration_seconds`,
    `Duration of A2A calls through the ${side} (to the last event for streams).`,
    names,
  );
  return {
    start(method) {
      const started = performance.now();
      const l = { ...labels, method };
      calls.inc(l);
      let done = false;
      return (err?: unknown) => {
        if (done) return;
        done = true;
        latency.observe(l, (performance.now() - started) / 1000);
        if (err !== undefined) errors.inc({ ...l, error: asA2aError(err).a2aName });
      };
    },
  };
}
