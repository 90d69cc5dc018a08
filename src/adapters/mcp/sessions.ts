// MCP session tables (docs/mcp-over-slimrpc.md §4.2). The egress keys lanes by (caller's full SLIM
// name, mcp-session-id), the absent id naming the caller's stateless lane; the HTTP ingress keys its
// local sessions by (client address, Mcp-Session-Id). Bounded in total and per caller. When a new session
// needs a place the table is full, an idle one (nothing in flight: no request, Listen or GET stream)
// is reclaimed: the caller holding the most sessions loses its least recently used idle one, so one
// greedy caller cannot push out the others; a session with work in flight, or idle for less than
// `reclaimAfterMs`, is never reclaimed.
// Sessions are reaped when idle for `idleMs`, and early (`abandonedMs`) when their client looks
// gone: its stream (Listen / GET) ended and nothing came since, or nothing at all came after the
// request that opened it. Pure bookkeeping with time as an input.

/** Idle time after which a session may be reclaimed for a newcomer (both sides). */
export const DEFAULT_RECLAIM_AFTER_MS = 2_000;

export interface SessionLimits {
  /** Most lanes at once (each may hold a process). */
  readonly maxSessions: number;
  /** Most lanes one caller may hold (default: maxSessions). */
  readonly maxPerCaller?: number;
  /** A lane unused this long, with nothing in flight, is reaped. */
  readonly idleMs: number;
  /** A lane whose client looks gone is reaped after this long (default: idleMs). */
  readonly abandonedMs?: number;
  /**
   * A lane idle for less than this is never reclaimed for a newcomer (default 0): a client between
   * two calls, or between its initialize and its GET stream, keeps its session.
   */
  readonly reclaimAfterMs?: number;
}

export interface SessionRecord<T> {
  readonly key: string;
  readonly caller: string;
  /** undefined for the caller's stateless lane. */
  readonly sessionId: string | undefined;
  readonly value: T;
  lastUsed: number;
  /** Requests, Listens and GET streams in flight. */
  busy: number;
  /** Work started on the lane since it was added (the opening request counts). */
  uses: number;
  /** Whether a stream (Listen / GET) was ever open on it. */
  streamed: boolean;
}

/** Why a record left the table without being asked to. */
export type ReclaimReason = 'idle' | 'abandoned' | 'reclaimed';

export function sessionKey(caller: string, sessionId: string | undefined): string {
  return `${caller}\u0000${sessionId ?? ''}`;
}

export class SessionTable<T> {
  private readonly records = new Map<string, SessionRecord<T>>();
  private readonly perCaller = new Map<string, number>();

  constructor(private readonly limits: SessionLimits) {}

  get size(): number {
    return this.records.size;
  }

  /** Every record (for reports such as memory per session). */
  values(): IterableIterator<SessionRecord<T>> {
    return this.records.values();
  }

  get(caller: string, sessionId: string | undefined): SessionRecord<T> | undefined {
    return this.records.get(sessionKey(caller, sessionId));
  }

  /**
   * Adds a lane. When the table (or the caller's share) is full, idle lanes are reclaimed first and
   * handed to `reclaimed` (already out of the table); undefined when every lane in the way is busy.
   */
  add(
    caller: string,
    sessionId: string | undefined,
    value: T,
    now: number,
    reclaimed: (record: SessionRecord<T>) => void = () => {},
  ): SessionRecord<T> | undefined {
    const key = sessionKey(caller, sessionId);
    if (this.records.has(key)) throw new Error(`session ${key} already exists`);
    const perCallerMax = this.limits.maxPerCaller ?? this.limits.maxSessions;
    if ((this.perCaller.get(caller) ?? 0) >= perCallerMax) {
      const victim = this.leastRecentIdle(now, (r) => r.caller === caller);
      if (!victim) return undefined;
      this.delete(victim);
      reclaimed(victim);
    }
    if (this.records.size >= this.limits.maxSessions) {
      const victim = this.victim(now);
      if (!victim) return undefined;
      this.delete(victim);
      reclaimed(victim);
    }
    const record: SessionRecord<T> = {
      key,
      caller,
      sessionId,
      value,
      lastUsed: now,
      busy: 0,
      uses: 0,
      streamed: false,
    };
    this.records.set(key, record);
    this.perCaller.set(caller, (this.perCaller.get(caller) ?? 0) + 1);
    return record;
  }

  /** Removes a lane if it is still the one given (a replaced lane must not remove its successor). */
  remove(record: SessionRecord<T>): boolean {
    if (this.records.get(record.key) !== record) return false;
    this.delete(record);
    return true;
  }

  /** Marks work starting on a lane; `stream` for a Listen or a GET stream. */
  acquire(record: SessionRecord<T>, now: number, stream = false): void {
    record.busy++;
    record.uses++;
    if (stream) record.streamed = true;
    record.lastUsed = now;
  }

  /** Marks work ending on a lane (its idle clock restarts now). */
  release(record: SessionRecord<T>, now: number): void {
    record.busy = Math.max(0, record.busy - 1);
    record.lastUsed = now;
  }

  /** Traffic that is not work in flight (a notification): the lane is in use. */
  touch(record: SessionRecord<T>, now: number): void {
    record.uses++;
    record.lastUsed = now;
  }

  /** Why a lane should go now, if it should. */
  expired(record: SessionRecord<T>, now: number): ReclaimReason | undefined {
    if (record.busy > 0) return undefined;
    const quiet = now - record.lastUsed;
    if (quiet >= this.limits.idleMs) return 'idle';
    const abandonedMs = this.limits.abandonedMs ?? this.limits.idleMs;
    // The client's stream ended and nothing came since; or only the opening request ever came.
    if (quiet >= abandonedMs && (record.streamed || record.uses <= 1)) return 'abandoned';
    return undefined;
  }

  /** Lanes idle or abandoned; removes and returns them with the reason. */
  reap(now: number): { record: SessionRecord<T>; reason: ReclaimReason }[] {
    const out: { record: SessionRecord<T>; reason: ReclaimReason }[] = [];
    for (const record of this.records.values()) {
      const reason = this.expired(record, now);
      if (reason) out.push({ record, reason });
    }
    for (const { record } of out) this.delete(record);
    return out;
  }

  /** Removes and returns every lane (service shutdown). */
  drain(): SessionRecord<T>[] {
    const out = [...this.records.values()];
    this.records.clear();
    this.perCaller.clear();
    return out;
  }

  private delete(record: SessionRecord<T>): void {
    this.records.delete(record.key);
    const n = (this.perCaller.get(record.caller) ?? 1) - 1;
    if (n <= 0) this.perCaller.delete(record.caller);
    else this.perCaller.set(record.caller, n);
  }

  /** The idle lane to reclaim for a newcomer: from the caller holding the most, else any. */
  private victim(now: number): SessionRecord<T> | undefined {
    let top: string | undefined;
    let most = 0;
    for (const [caller, n] of this.perCaller) {
      if (n > most) {
        most = n;
        top = caller;
      }
    }
    return this.leastRecentIdle(now, (r) => r.caller === top) ?? this.leastRecentIdle(now, () => true);
  }

  private leastRecentIdle(
    now: number,
    match: (r: SessionRecord<T>) => boolean,
  ): SessionRecord<T> | undefined {
    const quietEnough = now - (this.limits.reclaimAfterMs ?? 0);
    let best: SessionRecord<T> | undefined;
    for (const r of this.records.values()) {
      if (r.busy === 0 && r.lastUsed <= quietEnough && match(r) && (!best || r.lastUsed < best.lastUsed))
        best = r;
    }
    return best;
  }
}
