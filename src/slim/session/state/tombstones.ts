// What an app keeps of its ended sessions (docs/sessions-mls.md#replay): each one's replay
// memory, for one retry budget, so a resent GROUP_CLOSE or LEAVE_REQUEST is still answered with
// the remembered reply and a late resend of an old invitation is recognised. Invariant: an
// expired tombstone is never used; expired ones are dropped whenever a new one is added.
import type { Message } from '../../proto/index.js';
import type { SessionClock } from '../clock.js';
import { DEFAULT_INTERVAL_MS, DEFAULT_MAX_RETRIES } from '../constants.js';
import type { ReplayGuard } from './replay.js';

export class Tombstones {
  private readonly map = new Map<number, { replay: ReplayGuard<Message>; until: number }>();

  constructor(private readonly clock: SessionClock) {}

  has(id: number): boolean {
    return this.map.has(id);
  }

  /** The replay memory kept for session `id`, expired or not. */
  replay(id: number): ReplayGuard<Message> | undefined {
    return this.map.get(id)?.replay;
  }

  delete(id: number): void {
    this.map.delete(id);
  }

  /** Session `id` ended: keep its replay memory for one retry budget. */
  add(id: number, replay: ReplayGuard<Message>): void {
    const now = this.clock.now();
    for (const [old, t] of this.map) if (t.until < now) this.map.delete(old);
    this.map.set(id, { replay, until: now + (DEFAULT_MAX_RETRIES + 1) * DEFAULT_INTERVAL_MS * 2 });
  }

  /** The replay memory of session `id` while it is still kept (an expired one is forgotten). */
  live(id: number): ReplayGuard<Message> | undefined {
    const t = this.map.get(id);
    if (!t) return undefined;
    if (t.until < this.clock.now()) {
      this.map.delete(id);
      return undefined;
    }
    return t.replay;
  }
}
