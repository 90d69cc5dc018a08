// A single-consumer async queue: producers push, the consumer iterates. `end()` finishes the
// iteration after the queued items; `fail(err)` finishes it by throwing err after them. With a
// capacity, `push` returns a promise that waits while the queue is full (backpressure, nothing
// dropped).

export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  private readonly spaceWaiters: (() => void)[] = [];
  private done = false;
  private error: unknown = undefined;
  private iterating = false;

  constructor(private readonly capacity = Infinity) {}

  get size(): number {
    return this.items.length;
  }

  get finished(): boolean {
    return this.done;
  }

  /** Adds an item; resolves when there is room. Items pushed after end/fail are ignored. */
  push(item: T): Promise<void> {
    if (this.done) return Promise.resolve();
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve({ value: item, done: false });
      return Promise.resolve();
    }
    this.items.push(item);
    if (this.items.length <= this.capacity) return Promise.resolve();
    return new Promise((resolve) => this.spaceWaiters.push(resolve));
  }

  end(): void {
    if (this.done) return;
    this.done = true;
    this.flushWaiter();
  }

  fail(err: unknown): void {
    if (this.done) return;
    this.done = true;
    this.error = err ?? new Error('queue failed');
    this.flushWaiter();
  }

  private flushWaiter(): void {
    if (this.waiter && this.items.length === 0) {
      const w = this.waiter;
      this.waiter = undefined;
      if (this.error !== undefined) w.reject(this.error);
      else w.resolve({ value: undefined, done: true });
    }
    while (this.spaceWaiters.length > 0) this.spaceWaiters.shift()!();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) {
      const value = this.items.shift()!;
      if (this.spaceWaiters.length > 0 && this.items.length <= this.capacity) this.spaceWaiters.shift()!();
      return Promise.resolve({ value, done: false });
    }
    if (this.done) {
      if (this.error !== undefined) return Promise.reject(this.error);
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.iterating) throw new Error('AsyncQueue has a single consumer');
    this.iterating = true;
    return {
      next: () => this.next(),
      return: () => {
        this.end();
        this.items.length = 0;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
