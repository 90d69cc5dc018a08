// What a token says about itself, read without checking it: for credentials already verified on
// their way into an MLS group (their subject is the member's MLS identity; their issue time is the
// instant their membership is checked at, docs/sessions-mls.md). Both token kinds: shared-secret
// (`id:ts:nonce:claims:mac`) and JWT.
import { GatewayError } from '../../util/errors.js';
import { decodeJwt, looksLikeJwt } from './jwt.js';

/** The token's subject: the token id of a shared-secret token, the `sub` of a JWT ('' if none). */
export function tokenSubject(token: string): string {
  if (looksLikeJwt(token)) {
    try {
      const sub = decodeJwt(token).payload['sub'];
      return typeof sub === 'string' ? sub : '';
    } catch {
      return '';
    }
  }
  const colon = token.indexOf(':');
  return colon < 0 ? token : token.slice(0, colon);
}

/** Unix seconds the token was issued at (JWT: iat, else nbf, else exp); AUTH if it has none. */
export function tokenIssuedAt(token: string): number {
  if (looksLikeJwt(token)) {
    const p = decodeJwt(token).payload;
    for (const claim of ['iat', 'nbf', 'exp']) {
      const v = p[claim];
      if (typeof v === 'number' && Number.isFinite(v)) return Math.floor(v);
    }
    throw new GatewayError('AUTH', 'identity token has no time claims');
  }
  const ts = Number(token.split(':', 3)[1]);
  if (!Number.isSafeInteger(ts)) throw new GatewayError('AUTH', 'malformed identity token timestamp');
  return ts;
}
