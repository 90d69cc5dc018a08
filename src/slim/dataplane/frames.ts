// Builders for the frames an edge client sends besides Publish: Subscribe and Unsubscribe
// (docs/dataplane.md#subscriptions). The reference fills both forms of every Name, fanout 1 and TTL
// 8; its node needs str_name on Subscribe. Subscription ids are random, non-zero and unique per
// link, because the reference node keys its records by id.
import { randomBytes } from 'node:crypto';
import { newMessage } from '../proto/index.js';
import type { Message } from '../proto/index.js';
import type { SlimName } from './name.js';
import { toProtoName } from './name.js';
import { DEFAULT_TTL, SLIM_VERSION } from './wire.js';

export interface SubscriptionFrameParams {
  /** The subscribed name (destination), with its id. */
  name: SlimName;
  /** The subscribing app's full name (source). */
  source: SlimName;
  subscriptionId: bigint;
  identity?: string;
}

function build(kind: 'subscribe' | 'unsubscribe', p: SubscriptionFrameParams): Message {
  return newMessage({
    messageType: {
      case: kind,
      value: {
        header: {
          source: toProtoName(p.source),
          destination: toProtoName(p.name),
          identity: p.identity ?? '',
          fanout: 1,
          version: SLIM_VERSION,
          ttl: DEFAULT_TTL,
        },
        subscriptionId: p.subscriptionId,
      },
    },
  });
}

export function subscribeFrame(p: SubscriptionFrameParams): Message {
  return build('subscribe', p);
}

export function unsubscribeFrame(p: SubscriptionFrameParams): Message {
  return build('unsubscribe', p);
}

/** A random non-zero u64 not in `taken`. */
export function newSubscriptionId(taken: { has(id: bigint): boolean }): bigint {
  for (;;) {
    const id = randomBytes(8).readBigUInt64LE(0);
    if (id !== 0n && !taken.has(id)) return id;
  }
}
