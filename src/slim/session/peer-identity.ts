// Who sent a frame, as far as the session layer has verified it (docs/security.md, "Identity of a
// peer"). Every SLIM app's instance id is the hash of its token id (the token's `sub`), so a frame
// whose verified token, or whose MLS sender, hashes to another id than the frame's source is a
// frame from someone else wearing that name, and is refused. The identity the upper layers match
// against `allow` lists is derived from the verified `sub`:
// - shared secret: the name the peer claims, i.e. its token id without the `_XXXXXXXX` instance
//   suffix (`acme/clients/app_Ab3dE6gH` is `acme/clients/app`); any holder of the secret can
//   claim any name, which is what a shared secret means;
// - anything else (JWT): the subject, as the issuer signed it.
import type { IdentityVerifier, TokenClaims } from '../auth/index.js';
import { nameIdFromTokenId } from '../dataplane/name.js';
import type { SlimName } from '../dataplane/name.js';
import { GatewayError } from '../../util/errors.js';
import type { Inbound } from './frames.js';

/** The identity an allow list sees, from a verified token id (`sub`). */
export type IdentityNamer = (sub: string) => string;

/** The namer for an app's verifier: claimed names for shared secrets, subjects otherwise. */
export function identityNamerFor(verifier: IdentityVerifier): IdentityNamer {
  return (sub) => verifier.identityOf?.(sub) ?? sub;
}

/** Throws AUTH unless the app named `source` is the one whose token id is `sub`. */
export function checkBound(sub: string, source: SlimName): void {
  if (nameIdFromTokenId(sub) !== source.id) {
    throw new GatewayError('AUTH', 'the frame source is not the identity that signed it');
  }
}

/**
 * The token of a frame that carries no signature (MSG_ACK, RTX_REQUEST, data without MLS): valid,
 * and bound to the frame's source. Returns the claims; throws AUTH.
 */
export function verifyFrameToken(frame: Inbound, verifier: IdentityVerifier): TokenClaims {
  if (!frame.identity) throw new GatewayError('AUTH', 'frame without identity token');
  const claims = verifier.verify(frame.identity);
  checkBound(claims.sub, frame.source);
  return claims;
}
