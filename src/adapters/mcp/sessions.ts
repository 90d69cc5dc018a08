// MCP session tables (docs/mcp-over-slimrpc.md §4). The egress keys lanes by (caller's full SLIM
// name, mcp-session-id), the absent id naming the caller's stateless lane; the HTTP ingress keys its
// local sessions by Mcp-Session-Id (caller ''). Bounded (creating past `maxSessions` fails, a live
// session is never evicted) and reaped when idle: a session with work in flight (a request, a
// Listen, a GET stream) is never idle. Pure bookkeeping with time as an input.

export interface SessionLimits {
  /** Most lanes at once (each may hold a process). */
  readonly maxSessions: number;
  /** A lane unused this long, with nothing in flight, is reaped. */
  readonly idleMs: number;
}

export interface SessionRecord<T> {
  readonly key: string;
  readonly caller: string;
  /** undefined for the caller's stateless lane. */
  readonly sessionId: string | undefined;
  readonly value: T;
  lastUsed: number;
  /** Requests and Listens in flight. */
  busy: number;
}

export function sessionKey(caller: string, sessionId: string | undefined): string {
  return `${caller}\u0000${sessionId ?? ''}`;
}

export class SessionTable<T> {
  private readonly records = new Map<string, SessionRecord<T>>();

  constructor(private readonly limits: SessionLimits) {}

  get size(): number {
    return this.records.size;
  }

  get(caller: string, sessionId: string | undefined): SessionRecord<T> | undefined {
    return this.records.get(sessionKey(caller, sessionId));
  }

  /** Adds a lane; undefined when the table is full. */
  add(caller: string, sessionId: string | undefined, value: T, now: number): SessionRecord<T> | undefined {
    const key = sessionKey(caller, sessionId);
    if (this.records.has(key)) throw new Error(`session ${key} already exists`);
    if (this.records.size >= this.limits.maxSessions) return undefined;
    const record: SessionRecord<T> = { key, caller, sessionId, value, lastUsed: now, busy: 0 };
    this.records.set(key, record);
    return record;
  }

  /** Removes a lane if it is still the one given (a replaced lane must not remove its successor). */
  remove(record: SessionRecord<T>): boolean {
    if (this.records.get(record.key) !== record) return false;
    this.records.delete(record.key);
    return true;
  }

  /** Marks work starting on a lane. */
  acquire(record: SessionRecord<T>, now: number): void {
    record.busy++;
    record.lastUsed = now;
  }

  /** Marks work ending on a lane (its idle clock restarts now). */
  release(record: SessionRecord<T>, now: number): void {
    record.busy = Math.max(0, record.busy - 1);
    record.lastUsed = now;
  }

  touch(record: SessionRecord<T>, now: number): void {
    record.lastUsed = now;
  }

  /** Lanes idle for `idleMs` with nothing in flight; removes and returns them. */
  reap(now: number): SessionRecord<T>[] {
    const out: SessionRecord<T>[] = [];
    for (const record of this.records.values()) {
      if (record.busy === 0 && now - record.lastUsed >= this.limits.idleMs) out.push(record);
    }
    for (const record of out) this.records.delete(record.key);
    return out;
  }

  /** Removes and returns every lane (service shutdown). */
  drain(): SessionRecord<T>[] {
    const out = [...this.records.values()];
    this.records.clear();
    return out;
  }
}
