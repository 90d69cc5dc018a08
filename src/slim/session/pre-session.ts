// The app's answers to frames of no live session (docs/sessions-mls.md#point-to-point-sessions):
// the checks every pre-session request passes (identity token, signature, a token never used
// before, so a replayed request is refused), DISCOVERY_REPLY (stateless, to the same message id),
// the refusal of a discovery or an invitation whose identity we do not accept (a signed GROUP_NACK naming the
// reason class, rate-limited: docs/security.md, "Refusals"), and the remembered reply to a resend
// for a session that just ended (tombstones.ts). Nothing here creates a session; JOIN_REQUEST is
// the app's (app.ts).
import type { Logger } from 'pino';
import { TOKEN_FUTURE_SKEW_SECONDS, TOKEN_VALIDITY_SECONDS } from '../auth/index.js';
import type { IdentityProvider, IdentityVerifier, TokenClaims } from '../auth/index.js';
import type { Link } from '../dataplane/link.js';
import { baseName, nameKey, sameComponents } from '../dataplane/name.js';
import type { SlimName } from '../dataplane/name.js';
import { GatewayError, describeError } from '../../util/errors.js';
import type { SessionClock } from './clock.js';
import { META_JOIN_REFUSED } from './constants.js';
import { MsgType, commandFrame, commandOf, copyFrame } from './frames.js';
import type { Inbound } from './frames.js';
import { checkBound } from './peer-identity.js';
import { RefusalLimit } from './state/refusal-limit.js';
import type { RefusalLimits } from './state/refusal-limit.js';
import { TokenMemory, replayKey } from './state/replay.js';
import { sealFrame, verifyControlFrame } from './secure.js';
import type { Tombstones } from './state/tombstones.js';

/**
 * The reason classes a refusal names (the JOIN_REFUSED value of the GROUP_NACK): what failed,
 * never the token or anything from it.
 */
export const REFUSED_IDENTITY = 'identity not accepted';
export const REFUSED_SIGNATURE = 'signature not valid';
export const REFUSED_SOURCE = 'token owner is not the frame source';

/** A request refused for its identity (not for a replay): `refusal` is its reason class. */
class IdentityRefused extends GatewayError {
  constructor(
    readonly refusal: string,
    cause: unknown,
  ) {
    super('AUTH', `${refusal}: ${describeError(cause)}`, { cause });
  }
}

export class PreSession {
  private readonly usedTokens = new TokenMemory((TOKEN_VALIDITY_SECONDS + TOKEN_FUTURE_SKEW_SECONDS) * 1000);
  private readonly refusals: RefusalLimit;

  constructor(
    private readonly name: SlimName,
    private readonly identity: IdentityProvider & IdentityVerifier,
    private readonly link: Link,
    private readonly clock: SessionClock,
    private readonly tombstones: Tombstones,
    private readonly log: Logger,
    refusalLimits?: RefusalLimits,
  ) {
    this.refusals = new RefusalLimit(clock.now(), refusalLimits);
  }

  /**
   * Token, signature, the token's owner being the frame's source, and a token never used before (a
   * replayed request is refused). Returns the verified token id (`sub`).
   */
  check(frame: Inbound): string {
    const claims = this.verified(frame);
    if (this.usedTokens.repeat(replayKey(frame), this.clock.now())) {
      throw new GatewayError('AUTH', 'replayed request (identity token already used)');
    }
    return claims.sub;
  }

  /**
   * A discovery request addressed to us: answered with DISCOVERY_REPLY when its identity is
   * accepted, with a refusal when it is not (within the refusal budget), with nothing when it is
   * a replay (a copy of a request already answered must not fail the caller's discovery).
   */
  async discovery(frame: Inbound): Promise<void> {
    if (!sameComponents(frame.destination, this.name) || !commandOf(frame, 'discoveryRequest')) return;
    await this.admit(frame, 'discovery');
    const route = {
      source: this.name,
      destination: frame.source,
      sessionType: frame.sessionType,
      sessionId: frame.sessionId,
    };
    const reply = commandFrame(route, MsgType.DISCOVERY_REPLY, frame.messageId, {
      case: 'discoveryReply',
      value: {},
    });
    await sealFrame(reply, this.identity, undefined);
    await this.link.publish(reply);
  }

  /**
   * check() for a request addressed to us (a discovery or an invitation): when its identity is not
   * accepted, the requester is told so at once, within the refusal budget, then the error is
   * thrown as check() throws it. A replay gets no answer.
   */
  async admit(frame: Inbound, what: 'discovery' | 'invitation'): Promise<string> {
    try {
      return this.check(frame);
    } catch (err) {
      if (err instanceof IdentityRefused) await this.refuseIdentity(frame, err, what);
      throw err;
    }
  }

  /**
   * A JOIN_REQUEST the app refuses (its accept policy), or a refused identity: a signed
   * GROUP_NACK with the same id and the reason, so our moderators fail at once instead of timing
   * out.
   */
  async refuseJoin(frame: Inbound, reason: string): Promise<void> {
    const route = {
      source: this.name,
      destination: frame.source,
      sessionType: frame.sessionType,
      sessionId: frame.sessionId,
      metadata: { [META_JOIN_REFUSED]: reason },
    };
    const nack = commandFrame(route, MsgType.GROUP_NACK, frame.messageId, { case: 'groupNack', value: {} });
    await sealFrame(nack, this.identity, undefined);
    await this.link.publish(nack);
  }

  /**
   * Tells the requester (a discovery's or an invitation's) at once that we do not accept its
   * identity (docs/security.md,
   * "Refusals"): a GROUP_NACK with the request's id and the reason class, signed, so that a
   * requester that trusts us can verify it (one that does not keeps waiting, as it must: a stranger
   * could forge refusals). Sent within the refusal budget only (refusal-limit.ts); logged either way.
   */
  private async refuseIdentity(
    frame: Inbound,
    err: IdentityRefused,
    what: 'discovery' | 'invitation',
  ): Promise<void> {
    const from = baseName(frame.source);
    if (!this.refusals.allow(from, this.clock.now())) {
      this.log.debug({ from, reason: err.refusal }, `${what} refused, refusal not sent (rate limit)`);
      return;
    }
    this.log.info(
      { from, reason: err.refusal, err: describeError(err.cause), suppressed: this.refusals.suppressed },
      `${what} refused: identity not accepted`,
    );
    this.refusals.suppressed = 0;
    await this.refuseJoin(frame, err.refusal);
  }

  /**
   * Token and signature under our trust, and the token's owner being the frame's source; throws
   * IdentityRefused naming which failed.
   */
  private verified(frame: Inbound): TokenClaims {
    let claims: TokenClaims;
    try {
      claims = verifyControlFrame(frame, this.identity);
    } catch (err) {
      throw new IdentityRefused(this.tokenAccepted(frame) ? REFUSED_SIGNATURE : REFUSED_IDENTITY, err);
    }
    try {
      checkBound(claims.sub, frame.source);
    } catch (err) {
      throw new IdentityRefused(REFUSED_SOURCE, err);
    }
    return claims;
  }

  /** Only on the refusal path: whether the token alone verifies (then the signature failed). */
  private tokenAccepted(frame: Inbound): boolean {
    if (!frame.identity) return false;
    try {
      this.identity.verify(frame.identity);
      return true;
    } catch {
      return false;
    }
  }

  /** A resend to a session that just ended gets the reply remembered for it, if any. */
  async fromTombstone(frame: Inbound): Promise<void> {
    const replay = this.tombstones.live(frame.sessionId);
    if (!replay) return;
    // Verified before the replay memory hears of it: a forged frame must not record its id.
    this.verified(frame);
    const seen = replay.check(nameKey(frame.source), frame.messageId, replayKey(frame));
    if (seen.kind !== 'replay' || !seen.reply) return;
    const reply = copyFrame(seen.reply);
    await sealFrame(reply, this.identity, undefined);
    await this.link.publish(reply);
  }
}
