// A small Prometheus registry (text exposition format 0.0.4): counters, gauges and histograms
// with labels. Components receive the registry by injection and register their own series; the
// HTTP edge serves `render()` at /metrics. Label values are ids and names, never payloads.

type Labels = Readonly<Record<string, string>>;

function labelKey(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return keys.map((k) => `${k}="${escapeLabel(labels[k]!)}"`).join(',');
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function fmt(n: number): string {
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return Number.isInteger(n) ? String(n) : n.toPrecision(6);
}

interface Series {
  render(name: string): string[];
}

export class Counter implements Series {
  private readonly values = new Map<string, number>();
  inc(labels: Labels = {}, by = 1): void {
    const k = labelKey(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  render(name: string): string[] {
    return [...this.values].map(([k, v]) => `${name}${k ? `{${k}}` : ''} ${fmt(v)}`);
  }
}

export class Gauge implements Series {
  private readonly values = new Map<string, number>();
  private readonly collectors: (() => void)[] = [];
  set(labels: Labels, value: number): void {
    this.values.set(labelKey(labels), value);
  }
  inc(labels: Labels = {}, by = 1): void {
    const k = labelKey(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  dec(labels: Labels = {}, by = 1): void {
    this.inc(labels, -by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  /** A callback run before each render (for values read on demand). */
  collect(fn: () => void): void {
    this.collectors.push(fn);
  }
  render(name: string): string[] {
    for (const c of this.collectors) c();
    return [...this.values].map(([k, v]) => `${name}${k ? `{${k}}` : ''} ${fmt(v)}`);
  }
}

/** Default latency buckets in seconds (0.5 ms .. 30 s). */
export const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

export class Histogram implements Series {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(private readonly buckets: readonly number[] = LATENCY_BUCKETS) {}
  observe(labels: Labels, value: number): void {
    const k = labelKey(labels);
    let s = this.series.get(k);
    if (!s) {
      s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(k, s);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }
  count(labels: Labels = {}): number {
    return this.series.get(labelKey(labels))?.count ?? 0;
  }
  render(name: string): string[] {
    const out: string[] = [];
    for (const [k, s] of this.series) {
      const prefix = k ? `${k},` : '';
      this.buckets.forEach((b, i) => out.push(`${name}_bucket{${prefix}le="${fmt(b)}"} ${s.counts[i]}`));
      out.push(`${name}_bucket{${prefix}le="+Inf"} ${s.count}`);
      out.push(`${name}_sum${k ? `{${k}}` : ''} ${fmt(s.sum)}`);
      out.push(`${name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return out;
  }
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, { help: string; type: string; series: Series }>();

  private register<T extends Series>(name: string, help: string, type: string, make: () => T): T {
    const existing = this.metrics.get(name);
    if (existing) {
      if (existing.type !== type) throw new Error(`metric ${name} already registered as ${existing.type}`);
      return existing.series as T;
    }
    const series = make();
    this.metrics.set(name, { help, type, series });
    return series;
  }

  counter(name: string, help: string): Counter {
    return this.register(name, help, 'counter', () => new Counter());
  }
  gauge(name: string, help: string): Gauge {
    return this.register(name, help, 'gauge', () => new Gauge());
  }
  histogram(name: string, help: string, buckets?: readonly number[]): Histogram {
    return this.register(name, help, 'histogram', () => new Histogram(buckets));
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, m] of this.metrics) {
      lines.push(`# HELP ${name} ${m.help.replace(/\n/g, ' ')}`);
      lines.push(`# TYPE ${name} ${m.type}`);
      lines.push(...m.series.render(name));
    }
    return lines.join('\n') + '\n';
  }
}
