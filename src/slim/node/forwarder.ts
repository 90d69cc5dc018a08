// The node's forwarding logic over the pure routing table (spec/slim-dataplane.md §7-§9): checks
// each Publish/Subscribe/Unsubscribe, decrements the TTL of frames from remote links (dropping at
// 0), routes, rewrites the routing fields for the next hop and answers SubscriptionAcks.
// A frame that breaks the protocol yields a violation: the caller closes that connection (and
// only that one). Client-set forward_to/recv_from are never honoured on edge links: they are a
// violation here, where the reference would obey them.
import type { Logger } from '../../util/log.js';
import type { Message } from '../proto/index.js';
import type { MacName } from '../dataplane/header-mac.js';
import type { HeaderView } from './header-view.js';
import type { NodePeer } from './peer.js';
import type { PublishFrame } from './publish-frame.js';
import { NULL_NAME_ID, RoutingTable } from './routing-table.js';
import type { RouteName } from './routing-table.js';

export type IngestResult =
  | undefined // done
  | { violation: string; overLimit?: true } // close the ingress connection
  | { congested: Promise<void> }; // done; the sender should wait for this before its next frame

export interface ForwarderStats {
  forwarded: number;
  noRoute: number;
  ttlExpired: number;
}

function routeName(n: MacName | undefined): RouteName | undefined {
  const e = n?.name;
  if (!e) return undefined;
  const id = e.nameId ? (e.nameId.id0 << 64n) | e.nameId.id1 : NULL_NAME_ID;
  return { c0: e.component0, c1: e.component1, c2: e.component2, id };
}

function checkHeader(h: HeaderView | undefined, peer: NodePeer, what: string): string | undefined {
  if (!h) return `${what} without a SLIM header`;
  if (!h.source?.name || !h.destination?.name) return `${what} without source or destination name`;
  if (peer.kind === 'remote' && (h.forwardTo !== undefined || h.recvFrom !== undefined)) {
    return `${what} with client-set forward_to/recv_from (only nodes may set them)`;
  }
  return undefined;
}

/** Subscription caps on remote connections (limits.ts); in-process links are not counted. */
export interface SubscriptionLimits {
  readonly maxSubscriptionsPerConnection: number;
  readonly maxSubscriptions: number;
}

const UNLIMITED: SubscriptionLimits = {
  maxSubscriptionsPerConnection: Number.POSITIVE_INFINITY,
  maxSubscriptions: Number.POSITIVE_INFINITY,
};

export class Forwarder {
  readonly table = new RoutingTable();
  readonly peers = new Map<number, NodePeer>();
  readonly stats: ForwarderStats = { forwarded: 0, noRoute: 0, ttlExpired: 0 };
  private tableFullLogged = false;

  constructor(
    private readonly log: Logger,
    private readonly limits: SubscriptionLimits = UNLIMITED,
  ) {}

  attach(peer: NodePeer): void {
    this.table.addConnection(peer.id, peer.kind);
    this.peers.set(peer.id, peer);
  }

  /** Removes a connection and its routes; returns how many subscriptions went with it. */
  detach(id: number): number {
    this.peers.delete(id);
    return this.table.removeConnection(id);
  }

  publish(peer: NodePeer, frame: PublishFrame): IngestResult {
    const h = frame.header;
    const bad =
      checkHeader(h, peer, 'publish') ??
      (frame.hasSessionHeader ? undefined : 'publish without a session header');
    if (bad) return { violation: bad };
    const header = h!;
    let ttl = header.ttl;
    if (peer.kind === 'remote') {
      if (ttl <= 1) {
        this.stats.ttlExpired++;
        this.log.debug({ conn: peer.id }, 'dropping publish: TTL expired');
        return undefined;
      }
      ttl -= 1;
    }
    const targets = this.table.match(routeName(header.destination)!, header.fanout, peer.id);
    if (targets.length === 0) {
      this.stats.noRoute++;
      this.log.trace({ conn: peer.id }, 'dropping publish: no route');
      return undefined;
    }
    // The frame is the node's own (decoded from bytes, or copied by the in-process link): its header
    // becomes the outgoing one in place. recv_from/forward_to are absent (remote links are refused
    // above when they set them; in-process links clear them).
    const out = header;
    out.ttl = ttl;
    if (out.recvFrom !== undefined) out.recvFrom = undefined;
    if (out.forwardTo !== undefined) out.forwardTo = undefined;
    out.incomingConn = peer.wireId;
    let waits: Promise<void>[] | undefined;
    for (const id of targets) {
      const target = this.peers.get(id);
      if (!target) continue;
      this.stats.forwarded++;
      if (!target.sendPublish(frame, out)) (waits ??= []).push(target.drained());
    }
    return waits ? { congested: Promise.all(waits).then(() => undefined) } : undefined;
  }

  subscription(peer: NodePeer, msg: Message): IngestResult {
    if (msg.messageType.case !== 'subscribe' && msg.messageType.case !== 'unsubscribe') return undefined;
    const add = msg.messageType.case === 'subscribe';
    const { header, subscriptionId } = msg.messageType.value;
    const bad = checkHeader(header, peer, msg.messageType.case);
    if (bad) return { violation: bad };
    // The reference node panics on this (its table needs the strings); we refuse the connection.
    if (add && !header!.destination!.strName) return { violation: 'subscribe without str_name' };
    const name = routeName(header!.destination)!;
    if (add && peer.kind === 'remote' && !this.table.holds(peer.id, name, subscriptionId)) {
      const { maxSubscriptionsPerConnection: perConn, maxSubscriptions: total } = this.limits;
      // The link that floods the table loses its connection; the others keep theirs.
      if (this.table.subscriptionsOf(peer.id) >= perConn)
        return { violation: `more than ${perConn} subscriptions on one connection`, overLimit: true };
      if (this.table.remoteSubscriptionCount >= total) {
        if (!this.tableFullLogged) this.log.warn({ conn: peer.id, limit: total }, 'subscription table full');
        this.tableFullLogged = true;
        if (subscriptionId !== 0n) peer.sendAck(subscriptionId, `node subscription table full (${total})`);
        return undefined;
      }
      this.tableFullLogged = false;
    }
    const r = add
      ? this.table.subscribe(peer.id, name, subscriptionId)
      : this.table.unsubscribe(peer.id, name, subscriptionId);
    this.log.debug({ conn: peer.id, add, subscriptionId: String(subscriptionId), ok: r.ok }, 'subscription');
    if (subscriptionId !== 0n) peer.sendAck(subscriptionId, r.ok ? undefined : r.error);
    return undefined;
  }
}
