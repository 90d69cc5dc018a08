// The subscriptions a client link holds, as the node must know them: one random non-zero id per
// name (reference-counted), each confirmed by a SubscriptionAck, all of them re-sent on every new
// stream (docs/dataplane.md#subscriptions). Acks are matched through AckWaiters; every wait is
// bounded by the ack deadline.
import type { Logger } from '../../util/log.js';
import { GatewayError } from '../../util/errors.js';
import type { SubscribeOptions } from './link.js';
import type { SlimName } from './name.js';
import { formatName, nameKey } from './name.js';
import { AckWaiters } from './ack-waiters.js';
import { newSubscriptionId, subscribeFrame, unsubscribeFrame } from './frames.js';
import type { LinkStream } from './link-stream.js';

export interface Subscription {
  readonly name: SlimName;
  readonly source: SlimName;
  readonly identity: string | undefined;
  readonly id: bigint;
  refs: number;
  /** Settles with the first ack (or the node's refusal). */
  readonly confirmed: Promise<void>;
  confirm(): void;
  refuse(err: Error): void;
}

function newSubscription(name: SlimName, options: SubscribeOptions, id: bigint): Subscription {
  let confirm!: () => void;
  let refuse!: (err: Error) => void;
  const confirmed = new Promise<void>((res, rej) => {
    confirm = res;
    refuse = rej;
  });
  confirmed.catch(() => {}); // observed by whoever awaits it; never an unhandled rejection
  return {
    name,
    source: options.source,
    identity: options.identity,
    id,
    refs: 1,
    confirmed,
    confirm,
    refuse,
  };
}

export class LinkSubscriptions {
  readonly acks = new AckWaiters();
  private readonly byName = new Map<string, Subscription>();
  private readonly ids = new Set<bigint>();

  constructor(
    private readonly ackTimeoutMs: number,
    private readonly log: Logger,
  ) {}

  get size(): number {
    return this.byName.size;
  }

  /** Takes a reference on `name`; `isNew` when the node has yet to hear of it. */
  add(name: SlimName, options: SubscribeOptions): { sub: Subscription; isNew: boolean } {
    const existing = this.byName.get(nameKey(name));
    if (existing) {
      existing.refs++;
      return { sub: existing, isNew: false };
    }
    const sub = newSubscription(name, options, newSubscriptionId(this.ids));
    this.byName.set(nameKey(name), sub);
    this.ids.add(sub.id);
    return { sub, isNew: true };
  }

  /** Drops a reference; returns the subscription when that was the last one (now forgotten). */
  release(name: SlimName): Subscription | undefined {
    const sub = this.byName.get(nameKey(name));
    if (!sub || --sub.refs > 0) return undefined;
    this.forget(sub);
    return sub;
  }

  forget(sub: Subscription): void {
    const key = nameKey(sub.name);
    if (this.byName.get(key) === sub) this.byName.delete(key);
    this.ids.delete(sub.id);
  }

  /** Sends one Subscribe and settles the subscription on its ack; rejects only on link trouble. */
  async sendSubscribe(sub: Subscription, stream: LinkStream): Promise<void> {
    const a = await this.exchange(sub, stream, 'subscribe');
    if (a.success) sub.confirm();
    else {
      this.log.error({ name: formatName(sub.name), error: a.error }, 'node refused a subscription');
      this.forget(sub);
      sub.refuse(
        new GatewayError('UNAVAILABLE', `node refused subscription to ${formatName(sub.name)}: ${a.error}`),
      );
    }
  }

  /** Sends the Unsubscribe for `sub`; a lost stream counts as done (the node dropped it too). */
  async sendUnsubscribe(sub: Subscription, stream: LinkStream): Promise<void> {
    try {
      const a = await this.exchange(sub, stream, 'unsubscribe');
      if (!a.success) this.log.debug({ error: a.error }, 'node did not know the unsubscribed name');
    } catch (err) {
      if (!(err instanceof GatewayError && err.code === 'LINK_CLOSED')) throw err;
    }
  }

  /** Re-sends every subscription on a fresh stream; false if the stream failed meanwhile. */
  async replay(stream: LinkStream): Promise<boolean> {
    const results = await Promise.allSettled(
      [...this.byName.values()].map((s) => this.sendSubscribe(s, stream)),
    );
    return results.every((r) => r.status === 'fulfilled');
  }

  failAll(err: Error): void {
    this.acks.failAll(err);
    for (const sub of this.byName.values()) sub.refuse(err);
    this.byName.clear();
    this.ids.clear();
  }

  private async exchange(sub: Subscription, stream: LinkStream, kind: 'subscribe' | 'unsubscribe') {
    const ack = this.acks.expect(sub.id);
    const timer = setTimeout(
      () => ack.cancel(new GatewayError('TIMEOUT', `no SubscriptionAck within ${this.ackTimeoutMs} ms`)),
      this.ackTimeoutMs,
    );
    try {
      const params = {
        name: sub.name,
        source: sub.source,
        subscriptionId: sub.id,
        ...(sub.identity === undefined ? {} : { identity: sub.identity }),
      };
      stream.write(kind === 'subscribe' ? subscribeFrame(params) : unsubscribeFrame(params));
      return await ack.promise;
    } catch (err) {
      ack.cancel(err as Error);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}
