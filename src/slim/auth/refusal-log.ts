// Refusals made visible on the refusing side (docs/security.md, "Identities on the wire"): a peer
// whose token we refuse gets no answer on the wire (the reference drops such frames too), so the
// reason must be in our log. Each refusal is logged once per (reason, claimed subject, issuer) per
// minute, with the subject and issuer the token claims (unverified, said so) and never the token.
// Bounded: at most REFUSAL_LOG_KEYS distinct keys are remembered.
import type { Logger } from 'pino';
import { describeError } from '../../util/errors.js';
import type { Clock, IdentityVerifier } from './identity.js';
import { decodeJwt, looksLikeJwt } from './jwt.js';
import type { TokenClaims } from './token.js';
import { tokenSubject } from './token-info.js';

export const REFUSAL_LOG_INTERVAL_MS = 60_000;
const REFUSAL_LOG_KEYS = 256;

function claimedIssuer(token: string): string | undefined {
  if (!looksLikeJwt(token)) return undefined;
  try {
    const iss = decodeJwt(token).payload['iss'];
    return typeof iss === 'string' ? iss.slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}

export class LoggedVerifier implements IdentityVerifier {
  private readonly logged = new Map<string, number>();

  constructor(
    private readonly inner: IdentityVerifier,
    private readonly logger: Logger,
    private readonly clock: Clock = Date.now,
  ) {}

  identityOf(sub: string): string {
    return this.inner.identityOf?.(sub) ?? sub;
  }

  verify(token: string, atSeconds?: number): TokenClaims {
    try {
      return this.inner.verify(token, atSeconds);
    } catch (err) {
      this.log(token, err);
      throw err;
    }
  }

  private log(token: string, err: unknown): void {
    const reason = describeError(err);
    const claimedSubject = tokenSubject(token).slice(0, 200) || undefined;
    const issuer = claimedIssuer(token);
    const key = `${reason}\n${claimedSubject ?? ''}\n${issuer ?? ''}`;
    const now = this.clock();
    const last = this.logged.get(key);
    if (last !== undefined && now - last < REFUSAL_LOG_INTERVAL_MS) return;
    this.logged.delete(key);
    this.logged.set(key, now);
    if (this.logged.size > REFUSAL_LOG_KEYS) this.logged.delete(this.logged.keys().next().value!);
    this.logger.warn({ reason, claimedSubject, claimedIssuer: issuer }, 'peer identity refused');
  }
}
