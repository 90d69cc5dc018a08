// The sending half of data reliability (spec/slim-session-mls.md §1.5, crates/session/src/
// session_sender.rs): message ids 1, 2, ... wrapping after MAX_PUBLISH_ID; publish_to ids drawn
// at random above it. With reliability every message waits for a MSG_ACK from each endpoint (a
// member that receives data); each interval it is resent, unicast, to the endpoints still missing;
// when the retries run out those endpoints are reported (the session marks them offline). The
// last SENDER_BUFFER_SIZE messages answer RTX_REQUESTs. Messages published while no endpoint
// exists wait and go out when the first one appears. Pure: frames and names are opaque.
import { randomInt } from 'node:crypto';
import { MAX_PUBLISH_ID, SENDER_BUFFER_SIZE } from './constants.js';
import { RetrySchedule } from './retry.js';
import type { RetryPolicy } from './retry.js';

export interface Outgoing<F, N> {
  frame: F;
  /** Unicast to this endpoint (destination rewritten); absent: as built. */
  to?: N;
}

export interface SenderTick<F, N> {
  resend: Outgoing<F, N>[];
  /** Messages whose retries ran out, with the endpoints that never acknowledged them. */
  failed: { id: number; missing: string[] }[];
}

export class DataSender<F, N> {
  private counter = 0;
  private readonly ring: (number | undefined)[];
  private ringPos = 0;
  private readonly stored = new Map<number, F>();
  private readonly publishTo = new Map<number, F>();
  private readonly pendingAcks = new Map<number, Set<string>>();
  private readonly endpoints = new Map<string, N>();
  private queued: { id: number; frame: F }[] = [];
  private readonly schedule: RetrySchedule<number>;

  constructor(
    readonly reliable: boolean,
    policy: RetryPolicy,
    private readonly capacity = SENDER_BUFFER_SIZE,
  ) {
    this.ring = new Array<number | undefined>(capacity).fill(undefined);
    this.schedule = new RetrySchedule(policy);
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

  endpointCount(): number {
    return this.endpoints.size;
  }

  /** Adds an endpoint; returns the messages that waited for a first endpoint. */
  addEndpoint(key: string, name: N, now: number): Outgoing<F, N>[] {
    this.endpoints.set(key, name);
    if (this.queued.length === 0) return [];
    const waiting = this.queued;
    this.queued = [];
    return waiting.flatMap((q) => this.sendTracked(q.id, q.frame, now));
  }

  /** Drops an endpoint: nothing is resent to it any more. */
  removeEndpoint(key: string): void {
    this.endpoints.delete(key);
    for (const [id, missing] of this.pendingAcks) {
      if (missing.delete(key) && missing.size === 0) this.finish(id);
    }
  }

  /** A new group or p2p message: what to send now (nothing while no endpoint exists). */
  publish(id: number, frame: F, now: number): Outgoing<F, N>[] {
    if (this.reliable || this.endpoints.size === 0) this.store(id, frame);
    if (this.endpoints.size === 0) {
      this.queued.push({ id, frame });
      return [];
    }
    return this.sendTracked(id, frame, now);
  }

  /** A publish_to message for one endpoint (`key` must be one). */
  publishToOne(id: number, frame: F, key: string, now: number): Outgoing<F, N>[] {
    if (this.reliable) {
      this.publishTo.set(id, frame);
      this.pendingAcks.set(id, new Set([key]));
      this.schedule.start(id, now);
    }
    return [{ frame }];
  }

  /** A MSG_ACK (or an RTX_REQUEST, which counts as one) from `key`. */
  ack(id: number, key: string): void {
    const missing = this.pendingAcks.get(id);
    if (missing?.delete(key) && missing.size === 0) this.finish(id);
  }

  /** An RTX_REQUEST: the stored message to resend, or undefined when it is no longer buffered. */
  retransmission(id: number, key: string): F | undefined {
    this.ack(id, key);
    return this.stored.get(id) ?? this.publishTo.get(id);
  }

  isPending(id: number): boolean {
    return this.pendingAcks.has(id);
  }

  pendingCount(): number {
    return this.pendingAcks.size;
  }

  tick(now: number): SenderTick<F, N> {
    const out: SenderTick<F, N> = { resend: [], failed: [] };
    for (const a of this.schedule.due(now)) {
      const missing = this.pendingAcks.get(a.key);
      if (!missing) continue;
      const frame = this.stored.get(a.key) ?? this.publishTo.get(a.key);
      if (a.action === 'fail' || !frame) {
        out.failed.push({ id: a.key, missing: [...missing] });
        this.finish(a.key);
        continue;
      }
      for (const key of missing) {
        const to = this.endpoints.get(key);
        if (to !== undefined) out.resend.push({ frame, to });
      }
    }
    return out;
  }

  nextDeadline(): number | undefined {
    return this.schedule.nextDeadline();
  }

  clear(): void {
    this.schedule.clear();
    this.pendingAcks.clear();
    this.publishTo.clear();
    this.queued = [];
  }

  private sendTracked(id: number, frame: F, now: number): Outgoing<F, N>[] {
    if (this.reliable) {
      this.pendingAcks.set(id, new Set(this.endpoints.keys()));
      this.schedule.start(id, now);
    }
    return [{ frame }];
  }

  private finish(id: number): void {
    this.pendingAcks.delete(id);
    this.publishTo.delete(id);
    this.schedule.stop(id);
  }

  private store(id: number, frame: F): void {
    const evicted = this.ring[this.ringPos];
    if (evicted !== undefined) this.stored.delete(evicted);
    this.ring[this.ringPos] = id;
    this.ringPos = (this.ringPos + 1) % this.capacity;
    this.stored.set(id, frame);
  }
}
