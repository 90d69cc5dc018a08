// Flow control of a reliable session: at most `limit` data messages may be unacknowledged (or
// waiting for a first member) at once; a publish beyond that waits, in call order, until
// acknowledgements make room. Without it a burst (two thousand MLS calls issued in one tick) puts
// thousands of messages in flight, the receiver cannot decrypt and acknowledge them within one
// retransmission interval, and every one of them is resent, which only adds to its work: the
// session dies of "retransmissions exhausted". The frames on the wire are the same, just paced.
//
// The window does not count messages itself: it asks the sender (`occupancy`), so an
// acknowledgement, a message given up, a member gone or a session cleared all make room without
// bookkeeping here. It counts only the publishes it let through whose message is not yet with the
// sender (`reserved`). Granting calls `start` synchronously, in FIFO order, so publishes reach
// the session's loop (and get their message ids) in the order they were made. Waits end with the
// caller's AbortSignal, a deadline (TIMEOUT) or close(). Pure apart from the deadline timer.
import { abortError } from '../../util/abort.js';
import { GatewayError } from '../../util/errors.js';

interface Waiter {
  start: () => void;
  reject: (err: Error) => void;
  cleanup: () => void;
}

export class SendWindow {
  private reserved = 0;
  private readonly waiters: Waiter[] = [];
  private closedWith: Error | undefined;

  constructor(
    /** Messages that may be unacknowledged at once (Infinity: no flow control). */
    readonly limit: number,
    /** Messages the sender holds now (unacknowledged or waiting for an endpoint). */
    private readonly occupancy: () => number,
    /** How long a publish may wait for room when the caller gives no signal. */
    private readonly defaultTimeoutMs: number,
  ) {
    if (!(limit >= 1)) throw new RangeError('send window must be at least 1');
  }

  /** Publishes waiting for room. */
  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * Runs `job` as soon as there is room (at once when there is and nobody waits). `job` must
   * hand its message to the sender before it settles; its place is released when it settles.
   */
  admit<T>(job: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (this.waiters.length === 0 && this.hasRoom()) return this.begin(job);
    return new Promise<T>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => this.abandon(waiter, abortError(signal!));
      const waiter: Waiter = {
        start: () => {
          waiter.cleanup();
          this.begin(job).then(resolve, reject);
        },
        reject: (err) => {
          waiter.cleanup();
          reject(err);
        },
        cleanup: () => {
          if (timer) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      if (signal) signal.addEventListener('abort', onAbort, { once: true });
      else {
        const ms = this.defaultTimeoutMs;
        timer = setTimeout(
          () =>
            this.abandon(
              waiter,
              new GatewayError(
                'TIMEOUT',
                `publish: no room in the send window within ${ms} ms (the peer is not acknowledging)`,
              ),
            ),
          ms,
        );
      }
      this.waiters.push(waiter);
    });
  }

  /** Lets waiting publishes through while there is room (call when messages may have left). */
  pump(): void {
    while (this.waiters.length > 0 && this.hasRoom()) this.waiters.shift()!.start();
  }

  /** Fails every waiting publish and every later one with `err`. Idempotent. */
  close(err: Error): void {
    this.closedWith ??= err;
    for (const w of this.waiters.splice(0)) w.reject(this.closedWith);
  }

  private hasRoom(): boolean {
    return this.reserved + this.occupancy() < this.limit;
  }

  private begin<T>(job: () => Promise<T>): Promise<T> {
    this.reserved++;
    let p: Promise<T>;
    try {
      p = job();
    } catch (err) {
      p = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    const done = () => {
      this.reserved--;
      this.pump();
    };
    p.then(done, done);
    return p;
  }

  private abandon(waiter: Waiter, err: Error): void {
    const i = this.waiters.indexOf(waiter);
    if (i < 0) return;
    this.waiters.splice(i, 1);
    waiter.reject(err);
  }
}
