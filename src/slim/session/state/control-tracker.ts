// Outstanding control requests (docs/sessions-mls.md#control-retransmission, crates/session/src/
// controller_sender.rs): each request waits for a reply (same message id) from every expected
// member; it is resent unchanged (same id) every interval until they have all answered, and fails
// after the retries run out, naming who never answered. Pure: frames are opaque, time is an input.
import { RetrySchedule } from './retry.js';
import type { RetryPolicy } from './retry.js';

interface Pending<F> {
  readonly frame: F;
  readonly missing: Set<string>;
}

export type ReplyOutcome = 'unknown' | 'progress' | 'complete';

export interface ControlTick<F> {
  resend: F[];
  failed: { id: number; missing: string[] }[];
}

export class ControlTracker<F> {
  private readonly pending = new Map<number, Pending<F>>();
  private readonly schedule: RetrySchedule<number>;

  constructor(policy: RetryPolicy) {
    this.schedule = new RetrySchedule(policy);
  }

  /** Starts waiting for replies to request `id` from every key in `expected`. */
  track(id: number, frame: F, expected: Iterable<string>, now: number): void {
    this.pending.set(id, { frame, missing: new Set(expected) });
    this.schedule.start(id, now);
  }

  /** Records a reply from `from`; 'complete' once nobody is missing (the request is then gone). */
  reply(id: number, from: string): ReplyOutcome {
    const p = this.pending.get(id);
    if (!p || !p.missing.delete(from)) return 'unknown';
    if (p.missing.size > 0) return 'progress';
    this.stop(id);
    return 'complete';
  }

  /** Stops expecting a member anywhere (it left): requests it completes are returned. */
  forget(from: string): number[] {
    const done: number[] = [];
    for (const [id, p] of this.pending) {
      if (p.missing.delete(from) && p.missing.size === 0) done.push(id);
    }
    for (const id of done) this.stop(id);
    return done;
  }

  isPending(id: number): boolean {
    return this.pending.has(id);
  }

  missing(id: number): string[] {
    return [...(this.pending.get(id)?.missing ?? [])];
  }

  stop(id: number): void {
    this.pending.delete(id);
    this.schedule.stop(id);
  }

  get size(): number {
    return this.pending.size;
  }

  tick(now: number): ControlTick<F> {
    const out: ControlTick<F> = { resend: [], failed: [] };
    for (const a of this.schedule.due(now)) {
      const p = this.pending.get(a.key);
      if (!p) continue;
      if (a.action === 'retry') out.resend.push(p.frame);
      else {
        out.failed.push({ id: a.key, missing: [...p.missing] });
        this.pending.delete(a.key);
      }
    }
    return out;
  }

  nextDeadline(): number | undefined {
    return this.schedule.nextDeadline();
  }

  clear(): void {
    this.pending.clear();
    this.schedule.clear();
  }
}
