// The gateway's Prometheus registry, on prom-client (text exposition format 0.0.4): counters,
// gauges and histograms with declared label names. Components receive the registry by injection
// and register their own series (registering a name again returns the same series, so every
// route's ingress can share one); the HTTP edge serves `render()` at /metrics. Label values are
// ids and names, never payloads. Each registry is its own prom-client Registry (never the global
// one), so two gateways in one process keep their series apart.
import * as prom from 'prom-client';

type Labels = Readonly<Record<string, string>>;

/**
 * Labels in name order: prom-client writes them in the order given, and the /metrics text has
 * always listed them sorted (dashboards and tests match on it).
 */
function sorted(labels: Labels): Labels {
  const keys = Object.keys(labels);
  if (keys.length < 2) return labels;
  const out: Record<string, string> = {};
  for (const k of keys.sort()) out[k] = labels[k]!;
  return out;
}

export class Counter {
  constructor(private readonly metric: prom.Counter) {}
  inc(labels: Labels = {}, by = 1): void {
    this.metric.inc(sorted(labels), by);
  }
}

export class Gauge {
  private readonly collectors: (() => void)[] = [];
  private readonly metric: prom.Gauge;
  constructor(make: (collect: () => void) => prom.Gauge) {
    this.metric = make(() => {
      for (const c of this.collectors) c();
    });
  }
  set(labels: Labels, value: number): void {
    this.metric.set(sorted(labels), value);
  }
  inc(labels: Labels = {}, by = 1): void {
    this.metric.inc(sorted(labels), by);
  }
  dec(labels: Labels = {}, by = 1): void {
    this.metric.dec(sorted(labels), by);
  }
  /** A callback run before each render (for values read on demand). */
  collect(fn: () => void): void {
    this.collectors.push(fn);
  }
}

/** Default latency buckets in seconds (0.5 ms .. 30 s). */
export const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

export class Histogram {
  constructor(private readonly metric: prom.Histogram) {}
  observe(labels: Labels, value: number): void {
    this.metric.observe(sorted(labels), value);
  }
}

type Series = Counter | Gauge | Histogram;

export class MetricsRegistry {
  private readonly registry = new prom.Registry();
  private readonly metrics = new Map<string, { type: string; series: Series }>();

  /** The Content-Type of `render()`'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  private register<T extends Series>(name: string, type: string, make: () => T): T {
    const existing = this.metrics.get(name);
    if (existing) {
      if (existing.type !== type) throw new Error(`metric ${name} already registered as ${existing.type}`);
      return existing.series as T;
    }
    const series = make();
    this.metrics.set(name, { type, series });
    return series;
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.register(
      name,
      'counter',
      () => new Counter(new prom.Counter({ name, help, labelNames, registers: [this.registry] })),
    );
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.register(
      name,
      'gauge',
      () =>
        new Gauge(
          (collect) => new prom.Gauge({ name, help, labelNames, registers: [this.registry], collect }),
        ),
    );
  }

  histogram(
    name: string,
    help: string,
    labelNames: readonly string[] = [],
    buckets: readonly number[] = LATENCY_BUCKETS,
  ): Histogram {
    return this.register(
      name,
      'histogram',
      () =>
        new Histogram(
          new prom.Histogram({ name, help, labelNames, buckets: [...buckets], registers: [this.registry] }),
        ),
    );
  }

  /** The text exposition of every series (gauges' collectors run first). */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
