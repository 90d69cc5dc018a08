// A bounded, single-consumer inbox for one call's received messages (responses on the client,
// request-stream messages on the server). SLIMRPC has no per-call flow control: many calls share
// one session, so pausing the session for one slow reader would stall every other call on it
// (and can deadlock a caller that reads call B before call A). Instead each call buffers up to
// `maxMessages` / `maxBytes`; a producer that would exceed that gets `false` from `offer` and
// fails the call explicitly (RESOURCE_EXHAUSTED). Nothing is dropped silently, memory is bounded.

export interface InboxLimits {
  maxMessages: number;
  maxBytes: number;
}

export const DEFAULT_INBOX_LIMITS: InboxLimits = { maxMessages: 1024, maxBytes: 16 * 1024 * 1024 };

interface Waiter<T> {
  resolve: (r: IteratorResult<T>) => void;
  reject: (e: unknown) => void;
}

export class Inbox<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private head = 0;
  private bytes = 0;
  private waiter: Waiter<T> | undefined;
  private done = false;
  private error: unknown = undefined;
  private iterating = false;

  /** `onReturn` runs when the consumer stops early (break, return, throw in a for-await). */
  constructor(
    private readonly limits: InboxLimits,
    private readonly sizeOf: (item: T) => number,
    private readonly onReturn?: () => void,
  ) {}

  get finished(): boolean {
    return this.done;
  }

  /** Queues an item; false when it does not fit (the caller must then fail the call). */
  offer(item: T): boolean {
    if (this.done) return true;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve({ value: item, done: false });
      return true;
    }
    const queued = this.items.length - this.head;
    // One item always fits into an empty inbox, whatever its size.
    if (
      queued > 0 &&
      (queued >= this.limits.maxMessages || this.bytes + this.sizeOf(item) > this.limits.maxBytes)
    )
      return false;
    this.items.push(item);
    this.bytes += this.sizeOf(item);
    return true;
  }

  end(): void {
    if (this.done) return;
    this.done = true;
    this.wake();
  }

  fail(err: unknown): void {
    if (this.done) return;
    this.done = true;
    this.error = err ?? new Error('inbox failed');
    this.wake();
  }

  private wake(): void {
    if (this.waiter && this.head === this.items.length) {
      const w = this.waiter;
      this.waiter = undefined;
      if (this.error !== undefined) w.reject(this.error);
      else w.resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.head < this.items.length) {
      const value = this.items[this.head]!;
      this.items[this.head] = undefined as unknown as T;
      this.head++;
      this.bytes -= this.sizeOf(value);
      if (this.head === this.items.length) {
        this.items.length = 0;
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.done) {
      return this.error !== undefined
        ? Promise.reject(this.error)
        : Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.iterating) throw new Error('an inbox has a single consumer');
    this.iterating = true;
    return {
      next: () => this.next(),
      return: () => {
        const early = !this.done || this.head < this.items.length;
        this.done = true;
        this.items.length = 0;
        this.head = 0;
        this.bytes = 0;
        if (early) this.onReturn?.();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
