// The link's bounded outbound queue: frames that wait for the link (reconnecting) or for a
// backpressured stream. When it holds `capacity` frames, publishers wait for room; each entry's
// promise settles when its frame is written (or fails). Deadlines and cancellation come from the
// caller's AbortSignal; nothing is dropped silently.
import type { Message } from '../proto/index.js';
import { abortError } from '../../util/abort.js';

export interface QueuedFrame {
  msg: Message;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class OutboundQueue {
  private readonly items: QueuedFrame[] = [];
  private readonly roomWaiters: (() => void)[] = [];

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.items.length;
  }

  /**
   * Waits for room, then queues `msg`. Resolves with `written`, a promise that settles when the
   * frame is written; that rejects (and the frame is removed) when `signal` fires first.
   */
  async enqueue(msg: Message, signal: AbortSignal): Promise<{ written: Promise<void> }> {
    while (this.items.length >= this.capacity) await this.waitForRoom(signal);
    if (signal.aborted) throw abortError(signal);
    let entry!: QueuedFrame;
    const written = new Promise<void>((resolve, reject) => {
      entry = { msg, resolve, reject };
    });
    this.items.push(entry);
    const onAbort = () => {
      const i = this.items.indexOf(entry);
      if (i >= 0) {
        this.items.splice(i, 1);
        this.wakeOne();
      }
      entry.reject(abortError(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const done = () => signal.removeEventListener('abort', onAbort);
    written.then(done, done);
    return { written };
  }

  shift(): QueuedFrame | undefined {
    const e = this.items.shift();
    if (e) this.wakeOne();
    return e;
  }

  failAll(err: Error): void {
    for (const e of this.items.splice(0)) e.reject(err);
    for (const w of this.roomWaiters.splice(0)) w();
  }

  private wakeOne(): void {
    this.roomWaiters.shift()?.();
  }

  private waitForRoom(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(abortError(signal));
    return new Promise<void>((resolve, reject) => {
      const waiter = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.roomWaiters.indexOf(waiter);
        if (i >= 0) this.roomWaiters.splice(i, 1);
        reject(abortError(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.roomWaiters.push(waiter);
    });
  }
}
