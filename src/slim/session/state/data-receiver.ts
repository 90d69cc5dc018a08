// The receiving half of data reliability (docs/sessions-mls.md#reliability-ack-and-rtx,
// crates/session/src/ session_receiver.rs): one reorder buffer per sender; ids missing before an
// early message are asked for with RTX_REQUEST, each on its own retry schedule; a request whose
// retries run out marks the id lost so later messages flow again (the reference keeps waiting).
// publish_to messages skip reordering but duplicates are still dropped. Without reliability
// messages pass straight through, as in the reference. Pure: items and names are opaque.
import { RetrySchedule } from './retry.js';
import type { RetryPolicy } from './retry.js';
import { LOST, ReorderBuffer } from './reorder.js';
import type { Released } from './reorder.js';

export interface RtxRequest<N> {
  to: N;
  id: number;
}

export interface ReceiverOutput<T, N> {
  deliver: T[];
  /** Messages given up (never delivered). */
  lost: number;
  rtx: RtxRequest<N>[];
}

const DIRECT_MEMORY = 1024;

export class DataReceiver<T, N> {
  private readonly buffers = new Map<string, ReorderBuffer<T>>();
  private readonly rtx: RetrySchedule<string>;
  private readonly rtxInfo = new Map<string, { source: string; to: N; id: number }>();
  private readonly direct = new Map<string, Set<number>>();

  constructor(
    readonly reliable: boolean,
    policy: RetryPolicy,
  ) {
    this.rtx = new RetrySchedule(policy);
  }

  /**
   * A data message from `source` (map key `key`). `expectedFirst` is used when this is the first
   * message seen from that sender.
   */
  onMessage(
    key: string,
    source: N,
    id: number,
    item: T,
    now: number,
    expectedFirst?: number,
  ): ReceiverOutput<T, N> {
    if (!this.reliable) return { deliver: [item], lost: 0, rtx: [] };
    const pending = `${key}#${id}`;
    if (this.rtxInfo.delete(pending)) this.rtx.stop(pending);
    let buf = this.buffers.get(key);
    if (!buf) {
      buf = new ReorderBuffer<T>(expectedFirst);
      this.buffers.set(key, buf);
    }
    const r = buf.receive(id, item);
    const out = this.released(r.release);
    out.lost += r.skipped ?? 0;
    for (const missing of r.missing) {
      const rk = `${key}#${missing}`;
      this.rtxInfo.set(rk, { source: key, to: source, id: missing });
      this.rtx.start(rk, now);
      out.rtx.push({ to: source, id: missing });
    }
    return out;
  }

  /** Whether a message from `key` with this id is already in hand (its copy need not be opened). */
  isDuplicate(key: string, id: number, direct: boolean): boolean {
    if (!this.reliable) return false;
    if (direct) return this.direct.get(key)?.has(id) ?? false;
    return this.buffers.get(key)?.has(id) ?? false;
  }

  /** A publish_to message: delivered at once unless already seen. */
  onDirect(key: string, id: number, item: T): T[] {
    let seen = this.direct.get(key);
    if (!seen) {
      seen = new Set();
      this.direct.set(key, seen);
    }
    if (seen.has(id)) return [];
    seen.add(id);
    if (seen.size > DIRECT_MEMORY) seen.delete(seen.values().next().value as number);
    return [item];
  }

  /** An RTX_REPLY: the message (or undefined when the sender no longer had it). */
  onRetransmission(
    key: string,
    source: N,
    id: number,
    item: T | undefined,
    now: number,
  ): ReceiverOutput<T, N> {
    const rk = `${key}#${id}`;
    this.rtx.stop(rk);
    this.rtxInfo.delete(rk);
    if (item !== undefined) return this.onMessage(key, source, id, item, now);
    const buf = this.buffers.get(key);
    return buf ? this.released(buf.markLost(id)) : { deliver: [], lost: 0, rtx: [] };
  }

  tick(now: number): ReceiverOutput<T, N> {
    const out: ReceiverOutput<T, N> = { deliver: [], lost: 0, rtx: [] };
    for (const a of this.rtx.due(now)) {
      const info = this.rtxInfo.get(a.key);
      if (!info) continue;
      if (a.action === 'retry') {
        out.rtx.push({ to: info.to, id: info.id });
        continue;
      }
      this.rtxInfo.delete(a.key);
      const buf = this.buffers.get(info.source);
      if (!buf) continue;
      const r = this.released(buf.markLost(info.id));
      out.deliver.push(...r.deliver);
      out.lost += r.lost;
    }
    return out;
  }

  /** Forgets a sender (it left): its buffer and pending requests go. */
  removeSource(key: string): void {
    this.buffers.delete(key);
    this.direct.delete(key);
    for (const [rk, info] of this.rtxInfo) {
      if (info.source !== key) continue;
      this.rtx.stop(rk);
      this.rtxInfo.delete(rk);
    }
  }

  nextDeadline(): number | undefined {
    return this.rtx.nextDeadline();
  }

  clear(): void {
    this.rtx.clear();
    this.rtxInfo.clear();
  }

  private released(items: Released<T>[]): ReceiverOutput<T, N> {
    const out: ReceiverOutput<T, N> = { deliver: [], lost: 0, rtx: [] };
    for (const it of items) {
      if (it === LOST) out.lost += 1;
      else out.deliver.push(it);
    }
    return out;
  }
}
