// The sending half of data reliability (spec/slim-session-mls.md §1.5, crates/session/src/
// session_sender.rs): message ids 1, 2, ... wrapping after MAX_PUBLISH_ID; publish_to ids drawn
// at random above it. With reliability every message waits for a MSG_ACK from each endpoint (a
// member that receives data); each interval it is resent, unicast, to the endpoints still missing.
// The last SENDER_BUFFER_SIZE messages answer RTX_REQUESTs. Messages published while no endpoint
// exists wait and go out when the first one appears. Pure: frames and names are opaque.
//
// Where we differ from the reference: a retry only counts against an endpoint that has been
// silent for a whole interval. An endpoint that keeps acknowledging other messages is alive but
// busy (an MLS receiver decrypting a backlog); counting those retries, as the reference does,
// turns a slow receiver into an "offline" one and floods it with resends it must decrypt. When
// the retries run out only the silent endpoints are reported (the session marks them offline); a
// message an alive endpoint never acknowledges is given up after 4x the retries, unreported.
import { randomInt } from 'node:crypto';
import { MAX_PUBLISH_ID, SENDER_BUFFER_SIZE } from './constants.js';
import type { RetryPolicy } from './retry.js';

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
  readonly missing: Set<string>;
  nextAt: number;
  /** Fires while some missing endpoint was silent for the whole interval. */
  silentFires: number;
  fires: number;
}

export class DataSender<F, N> {
  private counter = 0;
  private readonly ring: (number | undefined)[];
  private ringPos = 0;
  private readonly stored = new Map<number, F>();
  private readonly publishTo = new Map<number, F>();
  private readonly pending = new Map<number, Pending>();
  private readonly endpoints = new Map<string, N>();
  private readonly lastHeard = new Map<string, number>();
  private queued: { id: number; frame: F }[] = [];

  constructor(
    readonly reliable: boolean,
    private readonly policy: RetryPolicy,
    private readonly capacity = SENDER_BUFFER_SIZE,
  ) {
    this.ring = new Array<number | undefined>(capacity).fill(undefined);
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
    this.endpoints.set(key, name);
    this.lastHeard.set(key, now);
    if (this.queued.length === 0) return [];
    const waiting = this.queued;
    this.queued = [];
    return waiting.flatMap((q) => this.track(q.id, q.frame, new Set(this.endpoints.keys()), now));
  }

  /** Drops an endpoint: nothing is resent to it any more. */
  removeEndpoint(key: string): void {
    this.endpoints.delete(key);
    this.lastHeard.delete(key);
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
    if (this.endpoints.has(key)) this.lastHeard.set(key, now);
    const p = this.pending.get(id);
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

  tick(now: number): SenderTick<F, N> {
    const out: SenderTick<F, N> = { resend: [], failed: [] };
    const { intervalMs, maxRetries } = this.policy;
    for (const [id, p] of this.pending) {
      if (p.nextAt > now) continue;
      p.fires += 1;
      p.nextAt = now + intervalMs;
      const silent = [...p.missing].filter((k) => (this.lastHeard.get(k) ?? -Infinity) <= now - intervalMs);
      if (silent.length > 0) p.silentFires += 1;
      const frame = this.stored.get(id) ?? this.publishTo.get(id);
      if (!frame || p.silentFires > maxRetries || p.fires > 4 * maxRetries) {
        out.failed.push({ id, missing: silent });
        this.finish(id);
        continue;
      }
      for (const key of p.missing) {
        const to = this.endpoints.get(key);
        if (to !== undefined) out.resend.push({ frame, to });
      }
    }
    return out;
  }

  nextDeadline(): number | undefined {
    let min: number | undefined;
    for (const p of this.pending.values()) if (min === undefined || p.nextAt < min) min = p.nextAt;
    return min;
  }

  clear(): void {
    this.pending.clear();
    this.publishTo.clear();
    this.queued = [];
  }

  private track(id: number, frame: F, missing: Set<string>, now: number): Outgoing<F, N>[] {
    if (this.reliable)
      this.pending.set(id, { missing, nextAt: now + this.policy.intervalMs, silentFires: 0, fires: 0 });
    return [{ frame }];
  }

  private finish(id: number): void {
    this.pending.delete(id);
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
