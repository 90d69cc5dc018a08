// The single owner of one immutable value (an MLS group state): every change runs alone, in call
// order, taking the current value and returning the next one. A failed change leaves the value as
// it was. After close() queued and later changes reject with CLOSED, and a change that was running
// when close() came has its result discarded (CLOSED) instead of being stored.
import { GatewayError } from '../../util/errors.js';

export type Change<S, T> = (current: S) => Promise<{ next: S; result: T }>;

export class Owner<S> {
  private value: S | undefined;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    initial: S,
    private readonly what: string,
  ) {
    this.value = initial;
  }

  get closed(): boolean {
    return this.value === undefined;
  }

  /** The current value (for reads that need no serialisation); CLOSED once closed. */
  current(): S {
    if (this.value === undefined) throw new GatewayError('CLOSED', `${this.what} is closed`);
    return this.value;
  }

  /** Queues a change behind every earlier one. */
  run<T>(change: Change<S, T>): Promise<T> {
    const done = this.tail.then(async () => {
      const before = this.current();
      const { next, result } = await change(before);
      if (this.value === undefined)
        throw new GatewayError('CLOSED', `${this.what} was closed during the operation`);
      this.value = next;
      return result;
    });
    // The queue continues whatever the outcome of this change.
    this.tail = done.then(
      () => undefined,
      () => undefined,
    );
    return done;
  }

  /** Drops the value; idempotent. Returns the value that was held, if any. */
  close(): S | undefined {
    const held = this.value;
    this.value = undefined;
    return held;
  }
}
