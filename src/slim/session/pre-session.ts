// The app's answers to frames of no live session (docs/sessions-mls.md#point-to-point-sessions):
// the checks every pre-session request passes (identity token, signature, a token never used
// before, so a replayed request is refused), DISCOVERY_REPLY (stateless, to the same message id),
// and the remembered reply to a resend for a session that just ended (tombstones.ts). Nothing here
// creates a session; JOIN_REQUEST is the app's (app.ts).
import { TOKEN_FUTURE_SKEW_SECONDS, TOKEN_VALIDITY_SECONDS } from '../auth/index.js';
import type { IdentityProvider, IdentityVerifier } from '../auth/index.js';
import type { Link } from '../dataplane/link.js';
import { nameKey, sameComponents } from '../dataplane/name.js';
import type { SlimName } from '../dataplane/name.js';
import { GatewayError } from '../../util/errors.js';
import type { SessionClock } from './clock.js';
import { META_JOIN_REFUSED } from './constants.js';
import { MsgType, commandFrame, copyFrame } from './frames.js';
import type { Inbound } from './frames.js';
import { checkBound } from './peer-identity.js';
import { TokenMemory, replayKey } from './state/replay.js';
import { sealFrame, verifyControlFrame } from './secure.js';
import type { Tombstones } from './state/tombstones.js';

export class PreSession {
  private readonly usedTokens = new TokenMemory((TOKEN_VALIDITY_SECONDS + TOKEN_FUTURE_SKEW_SECONDS) * 1000);

  constructor(
    private readonly name: SlimName,
    private readonly identity: IdentityProvider & IdentityVerifier,
    private readonly link: Link,
    private readonly clock: SessionClock,
    private readonly tombstones: Tombstones,
  ) {}

  /**
   * Token, signature, the token's owner being the frame's source, and a token never used before (a
   * replayed request is refused). Returns the verified token id (`sub`).
   */
  check(frame: Inbound): string {
    const claims = verifyControlFrame(frame, this.identity);
    checkBound(claims.sub, frame.source);
    if (this.usedTokens.repeat(replayKey(frame), this.clock.now())) {
      throw new GatewayError('AUTH', 'replayed request (identity token already used)');
    }
    return claims.sub;
  }

  async discovery(frame: Inbound): Promise<void> {
    this.check(frame);
    if (!sameComponents(frame.destination, this.name)) return;
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
   * A JOIN_REQUEST the app refuses (its accept policy): a signed GROUP_NACK with the same id and
   * the reason, so our moderators fail the invitation at once instead of timing out.
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

  /** A resend to a session that just ended gets the reply remembered for it, if any. */
  async fromTombstone(frame: Inbound): Promise<void> {
    const replay = this.tombstones.live(frame.sessionId);
    if (!replay) return;
    // Verified before the replay memory hears of it: a forged frame must not record its id.
    const claims = verifyControlFrame(frame, this.identity);
    checkBound(claims.sub, frame.source);
    const seen = replay.check(nameKey(frame.source), frame.messageId, replayKey(frame));
    if (seen.kind !== 'replay' || !seen.reply) return;
    const reply = copyFrame(seen.reply);
    await sealFrame(reply, this.identity, undefined);
    await this.link.publish(reply);
  }
}
