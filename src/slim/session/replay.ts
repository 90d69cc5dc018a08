// Control-message replay check (spec/slim-session-mls.md §1.3, crates/session/src/
// session_controller.rs verify_and_check_replay): message ids seen per sender, in an LRU of
// REPLAY_SENDERS senders of REPLAY_IDS_PER_SENDER ids each; id 0 is never valid. Unlike the
// reference, which drops a resent request unanswered (so a lost reply breaks the exchange for
// good), the reply we gave is remembered and a resend gets it again, without the request being
// processed twice. Pure: replies are opaque.
import { REPLAY_IDS_PER_SENDER, REPLAY_SENDERS } from './constants.js';

export type ReplayVerdict<R> =
  { kind: 'new' } | { kind: 'replay'; reply: R | undefined } | { kind: 'invalid' };

export class ReplayGuard<R> {
  private readonly senders = new Map<string, Map<number, R | undefined>>();

  constructor(
    private readonly idsPerSender = REPLAY_IDS_PER_SENDER,
    private readonly maxSenders = REPLAY_SENDERS,
  ) {}

  /** Records (sender, id) and says whether it was seen before. */
  check(sender: string, id: number): ReplayVerdict<R> {
    if (id === 0) return { kind: 'invalid' };
    let ids = this.senders.get(sender);
    if (ids) {
      this.senders.delete(sender); // LRU: most recent last
      this.senders.set(sender, ids);
      if (ids.has(id)) return { kind: 'replay', reply: ids.get(id) };
    } else {
      ids = new Map();
      this.senders.set(sender, ids);
      if (this.senders.size > this.maxSenders)
        this.senders.delete(this.senders.keys().next().value as string);
    }
    ids.set(id, undefined);
    if (ids.size > this.idsPerSender) ids.delete(ids.keys().next().value as number);
    return { kind: 'new' };
  }

  /** The reply sent for (sender, id), given again if the request is resent. */
  remember(sender: string, id: number, reply: R): void {
    const ids = this.senders.get(sender);
    if (ids?.has(id)) ids.set(id, reply);
  }

  /** Forgets a sender (it left the session; the reference does the same). */
  forget(sender: string): void {
    this.senders.delete(sender);
  }
}
