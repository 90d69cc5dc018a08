// The session layer's timers as data: every retransmission deadline of a session (data messages
// awaiting acknowledgements, RTX requests, control requests) lives in a timer wheel, and the
// session keeps one real timer, set to the wheel's next deadline (serial-loop.ts). Deadlines are
// rounded up to the wheel's resolution and land in one bucket per tick, so thousands of messages
// sent within one tick expire together, cancelling (an acknowledgement) is O(1), the next deadline
// is O(1) amortised (non-empty ticks in a min-heap, emptied ones skipped lazily), and expiry
// costs only the entries that are due. A deadline never fires early. Pure: time is an input.

export class TimerWheel<K> {
  /** tick -> keys due at that tick, in scheduling order. */
  private readonly buckets = new Map<number, Set<K>>();
  /** key -> its tick. */
  private readonly ticks = new Map<K, number>();
  /** Ticks that had a bucket when pushed (a min-heap; emptied ticks are dropped when seen). */
  private readonly heap: number[] = [];
  /** The ticks in `heap` (each at most once, even after its bucket emptied and came back). */
  private readonly inHeap = new Set<number>();

  constructor(readonly resolutionMs = 1) {
    if (!(resolutionMs >= 1)) throw new RangeError('timer wheel resolution must be at least 1 ms');
  }

  get size(): number {
    return this.ticks.size;
  }

  has(key: K): boolean {
    return this.ticks.has(key);
  }

  /** (Re)schedules `key` to expire at `at` (epoch ms), rounded up to the resolution. */
  schedule(key: K, at: number): void {
    this.cancel(key);
    const tick = Math.ceil(at / this.resolutionMs);
    let bucket = this.buckets.get(tick);
    if (!bucket) {
      bucket = new Set();
      this.buckets.set(tick, bucket);
      if (!this.inHeap.has(tick)) this.push(tick);
    }
    bucket.add(key);
    this.ticks.set(key, tick);
  }

  /** Removes `key`; false when it was not scheduled. */
  cancel(key: K): boolean {
    const tick = this.ticks.get(key);
    if (tick === undefined) return false;
    this.ticks.delete(key);
    const bucket = this.buckets.get(tick)!;
    bucket.delete(key);
    if (bucket.size === 0) this.buckets.delete(tick);
    return true;
  }

  /** When the earliest scheduled key expires (its tick's time), if any. */
  nextDeadline(): number | undefined {
    const tick = this.top();
    return tick === undefined ? undefined : tick * this.resolutionMs;
  }

  /** Removes and returns every key due at `now`, earliest tick first, in scheduling order within a tick. */
  due(now: number): K[] {
    const out: K[] = [];
    for (let tick = this.top(); tick !== undefined && tick * this.resolutionMs <= now; tick = this.top()) {
      const bucket = this.buckets.get(tick)!;
      this.buckets.delete(tick);
      this.pop();
      for (const key of bucket) {
        this.ticks.delete(key);
        out.push(key);
      }
    }
    return out;
  }

  clear(): void {
    this.buckets.clear();
    this.ticks.clear();
    this.heap.length = 0;
    this.inHeap.clear();
  }

  /** The earliest tick that still has a bucket (stale heap entries are discarded on the way). */
  private top(): number | undefined {
    while (this.heap.length > 0) {
      const tick = this.heap[0]!;
      if (this.buckets.has(tick)) return tick;
      this.pop();
    }
    return undefined;
  }

  private push(tick: number): void {
    const h = this.heap;
    this.inHeap.add(tick);
    h.push(tick);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]! <= tick) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = tick;
  }

  private pop(): void {
    const h = this.heap;
    this.inHeap.delete(h[0]!);
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && h[r]! < h[l]! ? r : l;
      if (h[c]! >= last) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
}
