// Waiters for SubscriptionAck frames, keyed by subscription id. A Subscribe and an Unsubscribe
// with the same id can be in flight at once; the node answers each in order, so waiters per id
// form a FIFO. When the link's stream ends every waiter is failed at once.
import type { SubscriptionAck } from '../proto/index.js';

interface Waiter {
  resolve: (ack: SubscriptionAck) => void;
  reject: (err: Error) => void;
}

export class AckWaiters {
  private readonly byId = new Map<bigint, Waiter[]>();

  /** A promise for the next ack of `id`, and a way to stop waiting (e.g. on a deadline). */
  expect(id: bigint): { promise: Promise<SubscriptionAck>; cancel: (err: Error) => void } {
    let waiter!: Waiter;
    const promise = new Promise<SubscriptionAck>((resolve, reject) => {
      waiter = { resolve, reject };
    });
    const list = this.byId.get(id);
    if (list) list.push(waiter);
    else this.byId.set(id, [waiter]);
    const cancel = (err: Error) => {
      const l = this.byId.get(id);
      const i = l?.indexOf(waiter) ?? -1;
      if (l && i >= 0) {
        l.splice(i, 1);
        if (l.length === 0) this.byId.delete(id);
        waiter.reject(err);
      }
    };
    return { promise, cancel };
  }

  /** Hands an ack to the oldest waiter for its id; false if nobody waited. */
  deliver(ack: SubscriptionAck): boolean {
    const list = this.byId.get(ack.subscriptionId);
    const w = list?.shift();
    if (!w) return false;
    if (list!.length === 0) this.byId.delete(ack.subscriptionId);
    w.resolve(ack);
    return true;
  }

  failAll(err: Error): void {
    const all = [...this.byId.values()].flat();
    this.byId.clear();
    for (const w of all) w.reject(err);
  }

  get size(): number {
    let n = 0;
    for (const l of this.byId.values()) n += l.length;
    return n;
  }
}
