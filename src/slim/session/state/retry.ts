// A constant-interval retry schedule, as the reference's session timers (crates/session/src/
// timer.rs, docs/sessions-mls.md#control-retransmission): an entry fires every `intervalMs`; fires
// 1..maxRetries ask for a resend, fire maxRetries+1 reports failure and ends the entry. Deadlines
// live in a timer wheel (timer-wheel.ts): stopping an entry, and asking for the next deadline, cost
// O(1) however many entries are pending. A late fire (the process was busy) schedules the next one
// a full interval after it, never sooner: retries back off under load instead of bunching up. Pure:
// time is an input.
import { TimerWheel } from './timer-wheel.js';

export interface RetryPolicy {
  readonly intervalMs: number;
  readonly maxRetries: number;
}

export type RetryAction<K> = { key: K; action: 'retry'; attempt: number } | { key: K; action: 'fail' };

/** The wheel resolution for a policy: 1% of the interval (10 ms for the default 1 s). */
export function wheelResolution(policy: RetryPolicy): number {
  return Math.max(1, Math.floor(policy.intervalMs / 100));
}

export class RetrySchedule<K> {
  private readonly fired = new Map<K, number>();
  private readonly wheel: TimerWheel<K>;

  constructor(private readonly policy: RetryPolicy) {
    this.wheel = new TimerWheel(wheelResolution(policy));
  }

  get size(): number {
    return this.fired.size;
  }

  /** (Re)starts the entry: its first fire is one interval from now. */
  start(key: K, now: number): void {
    this.fired.set(key, 0);
    this.wheel.schedule(key, now + this.policy.intervalMs);
  }

  stop(key: K): void {
    this.fired.delete(key);
    this.wheel.cancel(key);
  }

  has(key: K): boolean {
    return this.fired.has(key);
  }

  /** Entries due at `now`, in firing order; failed entries are removed. */
  due(now: number): RetryAction<K>[] {
    const out: RetryAction<K>[] = [];
    for (const key of this.wheel.due(now)) {
      const fired = (this.fired.get(key) ?? 0) + 1;
      if (fired <= this.policy.maxRetries) {
        this.fired.set(key, fired);
        out.push({ key, action: 'retry', attempt: fired });
        this.wheel.schedule(key, now + this.policy.intervalMs);
      } else {
        out.push({ key, action: 'fail' });
        this.fired.delete(key);
      }
    }
    return out;
  }

  /** The earliest pending fire time, if any. */
  nextDeadline(): number | undefined {
    return this.wheel.nextDeadline();
  }

  clear(): void {
    this.fired.clear();
    this.wheel.clear();
  }
}

/** The earliest of several optional deadlines. */
export function earliest(...deadlines: (number | undefined)[]): number | undefined {
  let min: number | undefined;
  for (const d of deadlines) if (d !== undefined && (min === undefined || d < min)) min = d;
  return min;
}
