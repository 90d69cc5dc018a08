// Control-message replay check (docs/sessions-mls.md#replay, crates/session/src/
// session_controller.rs verify_and_check_replay): message ids seen per sender, in an LRU of
// REPLAY_SENDERS senders of REPLAY_IDS_PER_SENDER ids each; id 0 is never valid. Unlike the
// reference, which drops a resent request unanswered (so a lost reply breaks the exchange for
// good), the reply we gave is remembered and a resend gets it again, without the request being
// processed twice. A genuine resend carries a fresh identity token; a frame repeating the very
// token of the original is a copy (network duplicate or replay) and gets nothing. Pure: replies
// are opaque.
import { REPLAY_IDS_PER_SENDER, REPLAY_SENDERS } from '../constants.js';
import type { Inbound } from '../frames.js';

/**
 * What tells a genuine resend from a copy of a control frame: its token and its signature. A
 * shared-secret token is new on every frame, but a JWT is reused for its lifetime
 * (docs/security.md); the ECDSA signature over the header is new on every sending either way.
 */
export function replayKey(frame: Inbound): string {
  const sig = frame.publish.header?.e2eHeaderSig;
  return sig && sig.length > 0 ? `${frame.identity}.${Buffer.from(sig).toString('base64')}` : frame.identity;
}

export type ReplayVerdict<R> =
  { kind: 'new' } | { kind: 'replay'; reply: R | undefined } | { kind: 'copy' } | { kind: 'invalid' };

interface Seen<R> {
  token: string;
  reply: R | undefined;
}

export class ReplayGuard<R> {
  private readonly senders = new Map<string, Map<number, Seen<R>>>();

  constructor(
    private readonly idsPerSender = REPLAY_IDS_PER_SENDER,
    private readonly maxSenders = REPLAY_SENDERS,
  ) {}

  /** Records (sender, id) and says whether it was seen before (`token`: the frame's identity). */
  check(sender: string, id: number, token: string): ReplayVerdict<R> {
    if (id === 0) return { kind: 'invalid' };
    let ids = this.senders.get(sender);
    if (ids) {
      this.senders.delete(sender); // LRU: most recent last
      this.senders.set(sender, ids);
      const seen = ids.get(id);
      if (seen) return seen.token === token ? { kind: 'copy' } : { kind: 'replay', reply: seen.reply };
    } else {
      ids = new Map();
      this.senders.set(sender, ids);
      if (this.senders.size > this.maxSenders)
        this.senders.delete(this.senders.keys().next().value as string);
    }
    ids.set(id, { token, reply: undefined });
    if (ids.size > this.idsPerSender) ids.delete(ids.keys().next().value as number);
    return { kind: 'new' };
  }

  /** The reply sent for (sender, id), given again if the request is resent. */
  remember(sender: string, id: number, reply: R): void {
    const seen = this.senders.get(sender)?.get(id);
    if (seen) seen.reply = reply;
  }

  /** Forgets a sender (it left the session; the reference does the same). */
  forget(sender: string): void {
    this.senders.delete(sender);
  }
}

/**
 * Identity tokens already used on requests that arrive before any session (DISCOVERY_REQUEST,
 * JOIN_REQUEST): the same token twice is a replayed frame, refused for as long as the token is
 * valid. Bounded: the oldest entries go first.
 */
export class TokenMemory {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly max = 10_000,
  ) {}

  /** True when `token` was seen (and is still remembered); records it otherwise. */
  repeat(token: string, now: number): boolean {
    const until = this.seen.get(token);
    if (until !== undefined && until >= now) return true;
    this.seen.set(token, now + this.ttlMs);
    if (this.seen.size > this.max) this.seen.delete(this.seen.keys().next().value as string);
    for (const [t, u] of this.seen) {
      if (u >= now) break;
      this.seen.delete(t);
    }
    return false;
  }
}
