// A constant-interval retry schedule, as the reference's session timers (crates/session/src/
// timer.rs, spec/slim-session-mls.md §1.4): an entry fires every `intervalMs`; fires 1..maxRetries
// ask for a resend, fire maxRetries+1 reports failure and ends the entry. Pure: time is an input.

export interface RetryPolicy {
  readonly intervalMs: number;
  readonly maxRetries: number;
}

export type RetryAction<K> = { key: K; action: 'retry'; attempt: number } | { key: K; action: 'fail' };

interface Entry {
  nextAt: number;
  fired: number;
}

export class RetrySchedule<K> {
  private readonly entries = new Map<K, Entry>();

  constructor(private readonly policy: RetryPolicy) {}

  get size(): number {
    return this.entries.size;
  }

  /** (Re)starts the entry: its first fire is one interval from now. */
  start(key: K, now: number): void {
    this.entries.set(key, { nextAt: now + this.policy.intervalMs, fired: 0 });
  }

  stop(key: K): void {
    this.entries.delete(key);
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** Entries due at `now`, in firing order; failed entries are removed. */
  due(now: number): RetryAction<K>[] {
    const out: RetryAction<K>[] = [];
    for (const [key, e] of this.entries) {
      if (e.nextAt > now) continue;
      e.fired += 1;
      if (e.fired <= this.policy.maxRetries) {
        out.push({ key, action: 'retry', attempt: e.fired });
        // Catch up without bursting: the next fire is one interval after now.
        e.nextAt = Math.max(e.nextAt + this.policy.intervalMs, now + 1);
      } else {
        out.push({ key, action: 'fail' });
        this.entries.delete(key);
      }
    }
    return out;
  }

  /** The earliest pending fire time, if any. */
  nextDeadline(): number | undefined {
    let min: number | undefined;
    for (const e of this.entries.values()) if (min === undefined || e.nextAt < min) min = e.nextAt;
    return min;
  }

  clear(): void {
    this.entries.clear();
  }
}

/** The earliest of several optional deadlines. */
export function earliest(...deadlines: (number | undefined)[]): number | undefined {
  let min: number | undefined;
  for (const d of deadlines) if (d !== undefined && (min === undefined || d < min)) min = d;
  return min;
}
