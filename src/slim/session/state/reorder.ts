// Per-sender reorder buffer (docs/sessions-mls.md#reliability-ack-and-rtx,
// crates/session/src/receiver_buffer.rs): releases messages in id order, drops duplicates and ids
// already released, and names the ids missing before a message that arrived early (the caller asks
// for them with RTX_REQUEST). Ids wrap after MAX_PUBLISH_ID; "before" means within half the id
// space behind the next expected id. Unlike the reference, a sender's first id can be known in
// advance (p2p peers and members that joined after us start at 1), so a lost first message is
// recovered instead of skipped, and a message that can never be recovered is released as LOST so
// later ones are not held forever.
import { MAX_PUBLISH_ID } from '../constants.js';

const MOD = MAX_PUBLISH_ID + 1;
const HALF = MOD / 2;

export const LOST: unique symbol = Symbol('lost');
export type Released<T> = T | typeof LOST;

export function idDistance(from: number, to: number): number {
  return (((to - from) % MOD) + MOD) % MOD;
}

export interface ReceiveResult<T> {
  release: Released<T>[];
  /** Ids found missing by this message (ask for them once). */
  missing: number[];
  /** Ids given up without asking (the sequence restarted past a gap too large to recover). */
  skipped?: number;
}

export class ReorderBuffer<T> {
  private next: number | undefined;
  /** Ids next .. next+span-1 have been seen, requested or released. */
  private span = 0;
  private readonly held = new Map<number, Released<T>>();

  /**
   * @param expectedFirst the sender's first id when known; otherwise the first received starts it.
   * @param maxGap a message further ahead than this restarts the sequence at it (the ones in
   *   between are beyond any sender buffer anyway) instead of asking for each.
   */
  constructor(
    expectedFirst?: number,
    private readonly maxGap = 4096,
  ) {
    this.next = expectedFirst;
  }

  receive(id: number, item: T): ReceiveResult<T> {
    if (this.next === undefined) this.next = id;
    let d = idDistance(this.next, id);
    if (d >= HALF) return { release: [], missing: [] }; // already released: duplicate or late
    if (d > this.maxGap) {
      // Too far ahead to recover what lies between: restart the sequence here.
      const skipped = d - this.held.size;
      this.held.clear();
      this.next = id;
      this.span = 0;
      d = 0;
      return { ...this.accept(id, item, d), skipped };
    }
    if (this.held.has(id)) return { release: [], missing: [] };
    return this.accept(id, item, d);
  }

  /** Gives up on `id`: it is released as LOST in its turn. */
  markLost(id: number): Released<T>[] {
    if (this.next === undefined) return [];
    const d = idDistance(this.next, id);
    if (d >= HALF || d >= this.span || this.held.has(id)) return [];
    this.held.set(id, LOST);
    return this.releaseReady();
  }

  /** True when `id` was already released, given up, or is held: a copy of it can be skipped. */
  has(id: number): boolean {
    if (this.next === undefined) return false;
    const held = this.held.get(id);
    return idDistance(this.next, id) >= HALF || (held !== undefined && held !== LOST);
  }

  private accept(id: number, item: T, d: number): ReceiveResult<T> {
    const missing: number[] = [];
    const next = this.next!;
    for (let k = this.span; k < d; k++) missing.push((next + k) % MOD);
    if (d + 1 > this.span) this.span = d + 1;
    this.held.set(id, item);
    return { release: this.releaseReady(), missing };
  }

  private releaseReady(): Released<T>[] {
    const out: Released<T>[] = [];
    while (this.next !== undefined && this.held.has(this.next)) {
      out.push(this.held.get(this.next)!);
      this.held.delete(this.next);
      this.next = (this.next + 1) % MOD;
      this.span = Math.max(0, this.span - 1);
    }
    return out;
  }
}
