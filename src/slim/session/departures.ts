// Members a moderator removed a moment ago (docs/sessions-mls.md#group-sessions). A reference
// participant answers the LEAVE_REQUEST, then its old session, draining outside its session
// table, says goodbye itself (LEAVE_REQUEST with LEAVING_SESSION) and retries until it gets a
// LEAVE_REPLY. Should the member be invited back before that goodbye is answered, the reply goes
// to its new session (same session id), the old one keeps retrying and the new one never
// acknowledges its welcome. So re-inviting such a member first waits for that goodbye, for at
// most one retransmission interval after the removal (our participants send none). Pure timing
// on the inviting side only: nothing changes on the wire.
import { raceSignal } from '../../util/abort.js';
import type { SessionClock } from './clock.js';

interface Departure {
  readonly until: number;
  readonly done: Promise<void>;
  readonly settle: () => void;
}

export class RecentDepartures {
  private readonly left = new Map<string, Departure>();

  constructor(
    private readonly clock: SessionClock,
    private readonly windowMs: number,
  ) {}

  /** `key` was removed now. */
  removed(key: string): void {
    let settle!: () => void;
    const done = new Promise<void>((r) => (settle = r));
    this.left.set(key, { until: this.clock.now() + this.windowMs, done, settle });
  }

  /** A goodbye from `key`: true when it is the trailing goodbye of a member removed just now. */
  goodbye(key: string): boolean {
    const d = this.left.get(key);
    d?.settle();
    return d !== undefined;
  }

  /** Before inviting `key` again: its trailing goodbye, or the end of the window, whichever first. */
  async settled(key: string, signal?: AbortSignal): Promise<void> {
    const d = this.left.get(key);
    if (!d) return;
    const remaining = d.until - this.clock.now();
    if (remaining > 0) {
      let cancel: (() => void) | undefined;
      const window = new Promise<void>((r) => (cancel = this.clock.setTimer(r, remaining)));
      try {
        await raceSignal(Promise.race([d.done, window]), signal);
      } finally {
        cancel?.();
      }
    }
    if (this.left.get(key) === d) this.left.delete(key);
  }

  /** Settles every wait (the session is closing). */
  clear(): void {
    for (const d of this.left.values()) d.settle();
    this.left.clear();
  }
}
