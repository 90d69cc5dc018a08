// The sending half of data reliability (docs/sessions-mls.md#reliability-ack-and-rtx,
// crates/session/src/ session_sender.rs): message ids 1, 2, ... wrapping after MAX_PUBLISH_ID;
// publish_to ids drawn at random above it. With reliability every message waits for a MSG_ACK from
// each endpoint (a member that receives data); each interval it is resent, unicast, to the
// endpoints still missing. The last SENDER_BUFFER_SIZE messages answer RTX_REQUESTs. Messages
// published while no endpoint exists wait and go out when the first one appears. Pure: frames and
// names are opaque.
//
// Where we differ from the reference (the frames are the same; when they go differs):
// - A busy endpoint is not resent to. Endpoints acknowledge in the order messages reach them, so
//   an endpoint that acknowledged something within the last interval, but nothing sent after the
//   message in question, is still working through its backlog (an MLS receiver decrypting): that
//   message is probably queued at the endpoint, and a copy would only add to its work. It is
//   resent once the endpoint acknowledges a later message (then it was lost) or has been silent
//   for a whole interval. The reference resends every unacknowledged message every interval,
//   which under load floods a slow receiver with copies to decrypt, and slows it further.
// - Only silent intervals count as retries. Counting every retry, as the reference does, turns a
//   slow receiver into an "offline" one. When the retries run out only the silent endpoints are
//   reported (the session marks them offline); a message an alive endpoint never acknowledges is
//   given up after 4x the retries, unreported.
// - Deadlines live in a timer wheel (timer-wheel.ts): O(1) per acknowledgement, and expiry costs
//   only the messages due.
// How many messages may be unacknowledged at once is the session's send window (send-window.ts),
// read here as `occupancy()`.
import { randomInt } from 'node:crypto';
import { MAX_PUBLISH_ID, SENDER_BUFFER_SIZE } from '../constants.js';
import { wheelResolution } from './retry.js';
import type { RetryPolicy } from './retry.js';
import { TimerWheel } from './timer-wheel.js';

export interface Outgoing<F, N> {
  frame: F;
  /** Unicast to this endpoint (destination rewritten); absent: as built. */
  to?: N;
}

export interface SenderTick<F, N> {
  resend: Outgoing<F, N>[];
  /** Messages given up, with the (silent) endpoints that never acknowledged them. */
  failed: { id: number; missing: string[] }[];
}

interface Pending {
  /** Send order (ids wrap and publish_to ids are random; this does neither). */
  readonly seq: number;
  readonly missing: Set<string>;
  /** Fires while some missing endpoint was silent for the whole interval. */
  silentFires: number;
  fires: number;
}

interface Endpoint<N> {
  readonly name: N;
  /** When it last acknowledged one of our messages (or joined). */
  lastAckAt: number;
  /** The latest send order it acknowledged. */
  ackedSeq: number;
}

export class DataSender<F, N> {
  private counter = 0;
  private seq = 0;
  private readonly ring: (number | undefined)[];
  private ringPos = 0;
  private readonly stored = new Map<number, F>();
  private readonly publishTo = new Map<number, F>();
  private readonly pending = new Map<number, Pending>();
  private readonly wheel: TimerWheel<number>;
  private readonly endpoints = new Map<string, Endpoint<N>>();
  private queued: { id: number; frame: F }[] = [];

  constructor(
    readonly reliable: boolean,
    private readonly policy: RetryPolicy,
    private readonly capacity = SENDER_BUFFER_SIZE,
  ) {
    this.ring = new Array<number | undefined>(capacity).fill(undefined);
    this.wheel = new TimerWheel(wheelResolution(policy));
  }

  /** The next data message id (1, 2, ..., MAX_PUBLISH_ID, 0, 1, ...). */
  nextId(): number {
    this.counter = (this.counter + 1) % (MAX_PUBLISH_ID + 1);
    return this.counter;
  }

  /** A publish_to id, in (MAX_PUBLISH_ID, 2^32 - 1). */
  publishToId(): number {
    return randomInt(MAX_PUBLISH_ID + 1, 0xffff_ffff);
  }

  hasEndpoint(key: string): boolean {
    return this.endpoints.has(key);
  }

  /** Adds an endpoint; returns the messages that waited for a first endpoint. */
  addEndpoint(key: string, name: N, now: number): Outgoing<F, N>[] {
    this.endpoints.set(key, { name, lastAckAt: now, ackedSeq: this.seq });
    if (this.queued.length === 0) return [];
    const waiting = this.queued;
    this.queued = [];
    return waiting.flatMap((q) => this.track(q.id, q.frame, new Set(this.endpoints.keys()), now));
  }

  /** Drops an endpoint: nothing is resent to it any more. */
  removeEndpoint(key: string): void {
    this.endpoints.delete(key);
    for (const [id, p] of this.pending) if (p.missing.delete(key) && p.missing.size === 0) this.finish(id);
  }

  /** A new group or p2p message: what to send now (nothing while no endpoint exists). */
  publish(id: number, frame: F, now: number): Outgoing<F, N>[] {
    if (this.reliable || this.endpoints.size === 0) this.store(id, frame);
    if (this.endpoints.size === 0) {
      this.queued.push({ id, frame });
      return [];
    }
    return this.track(id, frame, new Set(this.endpoints.keys()), now);
  }

  /** A publish_to message for one endpoint (`key` must be one). */
  publishToOne(id: number, frame: F, key: string, now: number): Outgoing<F, N>[] {
    if (this.reliable) this.publishTo.set(id, frame);
    return this.track(id, frame, new Set([key]), now);
  }

  /** A MSG_ACK (or an RTX_REQUEST, which counts as one) from `key`. */
  ack(id: number, key: string, now: number): void {
    const p = this.pending.get(id);
    const ep = this.endpoints.get(key);
    if (ep) {
      ep.lastAckAt = now;
      if (p && p.seq > ep.ackedSeq && p.missing.has(key)) ep.ackedSeq = p.seq;
    }
    if (p?.missing.delete(key) && p.missing.size === 0) this.finish(id);
  }

  /** An RTX_REQUEST: the stored message to resend, or undefined when it is no longer buffered. */
  retransmission(id: number, key: string, now: number): F | undefined {
    this.ack(id, key, now);
    return this.stored.get(id) ?? this.publishTo.get(id);
  }

  isPending(id: number): boolean {
    return this.pending.has(id);
  }

  pendingCount(): number {
    return this.pending.size;
  }

  /** Messages that hold a place in the send window: unacknowledged, or waiting for an endpoint. */
  occupancy(): number {
    return this.pending.size + this.queued.length;
  }

  tick(now: number): SenderTick<F, N> {
    const out: SenderTick<F, N> = { resend: [], failed: [] };
    const { intervalMs, maxRetries } = this.policy;
    for (const id of this.wheel.due(now)) {
      const p = this.pending.get(id);
      if (!p) continue;
      p.fires += 1;
      const silent: string[] = [];
      const to: N[] = [];
      for (const key of p.missing) {
        const ep = this.endpoints.get(key);
        if (!ep) continue;
        const isSilent = ep.lastAckAt <= now - intervalMs;
        if (isSilent) silent.push(key);
        // Busy (acknowledging, but nothing sent after this one yet): it probably has it queued.
        if (isSilent || ep.ackedSeq > p.seq) to.push(ep.name);
      }
      if (silent.length > 0) p.silentFires += 1;
      const frame = this.stored.get(id) ?? this.publishTo.get(id);
      if (!frame || p.silentFires > maxRetries || p.fires > 4 * maxRetries) {
        out.failed.push({ id, missing: silent });
        this.finish(id);
        continue;
      }
      for (const name of to) out.resend.push({ frame, to: name });
      this.wheel.schedule(id, now + intervalMs);
    }
    return out;
  }

  nextDeadline(): number | undefined {
    return this.wheel.nextDeadline();
  }

  clear(): void {
    this.pending.clear();
    this.wheel.clear();
    this.publishTo.clear();
    this.queued = [];
  }

  private track(id: number, frame: F, missing: Set<string>, now: number): Outgoing<F, N>[] {
    if (this.reliable) {
      this.pending.set(id, { seq: ++this.seq, missing, silentFires: 0, fires: 0 });
      this.wheel.schedule(id, now + this.policy.intervalMs);
    }
    return [{ frame }];
  }

  private finish(id: number): void {
    this.pending.delete(id);
    this.wheel.cancel(id);
    this.publishTo.delete(id);
  }

  private store(id: number, frame: F): void {
    const evicted = this.ring[this.ringPos];
    if (evicted !== undefined) this.stored.delete(evicted);
    this.ring[this.ringPos] = id;
    this.ringPos = (this.ringPos + 1) % this.capacity;
    this.stored.set(id, frame);
  }
}
