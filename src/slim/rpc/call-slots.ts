// A bound on the calls a channel runs at once on its session, the rest waiting in FIFO order (the
// role of HTTP/2's MAX_CONCURRENT_STREAMS for gRPC). It bounds resources (every admitted call holds
// a deadline timer and a receive buffer), not correctness: bursts are paced by the session's send
// window (session/send-window.ts), and 2,000 MLS calls issued in one tick complete with no bound
// at all. Measured, a bound of 32 against none at 128 calls in flight made no difference to latency
// or throughput (BENCHMARKS.md, SLIMRPC). Queued calls wait within their own deadline and can be
// cancelled while they wait.
import { abortError } from '../../util/abort.js';

export class CallSlots {
  private active = 0;
  private readonly waiters: { grant: () => void; reject: (e: unknown) => void }[] = [];

  constructor(readonly limit: number) {}

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiters.length;
  }

  /** Resolves with the slot's release function once the call may run. */
  acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(abortError(signal));
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          resolve(this.releaser());
        },
        reject,
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(abortError(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next.grant();
      else this.active--;
    };
  }
}
