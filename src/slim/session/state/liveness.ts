// Heartbeats and member liveness (docs/sessions-mls.md#heartbeats, crates/session/src/
// controller_sender.rs): every interval each tracked member's missed count goes up; anything
// received from a member resets it; at MAX_MISSED_HEARTBEATS the member is reported offline (and
// no longer tracked). A HEARTBEAT is sent each tick unless this side already sent data or control
// traffic to the group name in that interval, or when forced, or when every peer is offline.
// Pure: the shell asks `due(now)` and sends what `tick` says.
import { MAX_MISSED_HEARTBEATS } from '../constants.js';

export interface LivenessTick {
  offline: string[];
  sendHeartbeat: boolean;
}

export class Liveness {
  private readonly missed = new Map<string, number>();
  private postponed = false;
  private forced = false;
  private nextAt: number | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly maxMissed = MAX_MISSED_HEARTBEATS,
  ) {}

  /** Starts the periodic tick (idempotent). */
  start(now: number): void {
    if (this.nextAt === undefined) this.nextAt = now + this.intervalMs;
  }

  stop(): void {
    this.nextAt = undefined;
    this.missed.clear();
  }

  track(key: string): void {
    this.missed.set(key, 0);
  }

  untrack(key: string): void {
    this.missed.delete(key);
  }

  isTracked(key: string): boolean {
    return this.missed.has(key);
  }

  /** Something arrived from `key`. */
  heard(key: string): void {
    if (this.missed.has(key)) this.missed.set(key, 0);
  }

  /** This side sent traffic to the group name: the next heartbeat may be skipped. */
  sent(): void {
    this.postponed = true;
  }

  force(): void {
    this.forced = true;
    this.postponed = false;
  }

  nextDeadline(): number | undefined {
    return this.nextAt;
  }

  /** Runs the tick when due; undefined when it is not time yet. */
  tick(now: number): LivenessTick | undefined {
    if (this.nextAt === undefined || now < this.nextAt) return undefined;
    this.nextAt = Math.max(this.nextAt + this.intervalMs, now + 1);
    const offline: string[] = [];
    for (const [key, count] of this.missed) {
      const n = count + 1;
      if (n >= this.maxMissed) offline.push(key);
      else this.missed.set(key, n);
    }
    for (const key of offline) this.missed.delete(key);
    const allOffline = this.missed.size === 0;
    const sendHeartbeat = !this.postponed || this.forced || allOffline;
    this.postponed = false;
    this.forced = false;
    return { offline, sendHeartbeat };
  }
}
