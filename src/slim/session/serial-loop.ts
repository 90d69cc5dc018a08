// A session's event loop: frames, API calls and timer ticks run one at a time, in arrival order
// (as the reference's per-session task does), so protocol and MLS state are never touched
// concurrently. One timer is kept, set to the earliest deadline the state machines report after
// each job; when it fires a tick job is queued. The loop yields to the event loop every few jobs:
// MLS work resolves through promise jobs only, and a busy session must not starve the link.
import type { SessionClock } from './clock.js';

const YIELD_EVERY = 8;

export class SerialLoop {
  private readonly inbox: (() => Promise<void>)[] = [];
  private pumping = false;
  private timer: { at: number; cancel: () => void } | undefined;
  private stopped = false;

  constructor(
    private readonly clock: SessionClock,
    /** The earliest pending deadline (epoch ms), if any. */
    private readonly nextDeadline: () => number | undefined,
    /** Runs when the deadline passes (on the loop). */
    private readonly onTick: () => Promise<void>,
    private readonly onError: (err: unknown, what: string) => void,
  ) {}

  /** Runs `fn` on the loop, after what is already queued. */
  run<T>(fn: () => Promise<T> | T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.inbox.push(async () => {
        try {
          resolve(await fn());
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
      this.pump();
    });
  }

  /** No more ticks (jobs already queued still run, so their callers are answered). */
  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    void (async () => {
      let n = 0;
      while (this.inbox.length > 0) {
        await this.inbox.shift()!();
        this.reschedule();
        if (++n % YIELD_EVERY === 0) await new Promise<void>((r) => setImmediate(r));
      }
      this.pumping = false;
    })();
  }

  private reschedule(): void {
    if (this.stopped) return;
    const at = this.nextDeadline();
    if (this.timer && this.timer.at === at) return;
    this.timer?.cancel();
    this.timer = undefined;
    if (at === undefined) return;
    const cancel = this.clock.setTimer(() => {
      this.timer = undefined;
      this.run(() => (this.stopped ? undefined : this.onTick())).catch((err: unknown) =>
        this.onError(err, 'tick'),
      );
    }, at - this.clock.now());
    this.timer = { at, cancel };
  }
}
