// Control-message signatures (docs/sessions-mls.md#control-signatures): every command message
// carries e2e_header_sig = sign(HeaderIntegrityAad bytes) with the sender's signature key, whose
// public key is published in the identity token's claims. Receivers check the token and then the
// signature against that key.
import type { Publish } from '../proto/index.js';
import { GatewayError } from '../../util/errors.js';
import { buildAad } from './aad.js';
import type { IdentityVerifier } from './identity.js';
import type { SigningKey } from './keys.js';
import { verifySignature } from './keys.js';
import type { TokenClaims } from './token.js';

/** Sets header.identity to `token` and header.e2eHeaderSig to the signature over the AAD. */
export function signControl(publish: Publish, token: string, key: SigningKey): void {
  if (!publish.header) throw new GatewayError('INTERNAL', 'publish without header');
  publish.header.identity = token;
  publish.header.e2eHeaderSig = undefined;
  publish.header.e2eHeaderSig = key.sign(buildAad(publish));
}

/**
 * Verifies the sender's token and the control signature; returns the token claims.
 * Throws AUTH naming what failed.
 */
export function verifyControl(publish: Publish, verifier: IdentityVerifier): TokenClaims {
  const header = publish.header;
  if (!header?.identity) throw new GatewayError('AUTH', 'control message without identity');
  const claims = verifier.verify(header.identity);
  if (!claims.pubkey) throw new GatewayError('AUTH', 'identity token without a public key claim');
  const sig = header.e2eHeaderSig;
  if (!sig || sig.length === 0) throw new GatewayError('AUTH', 'control message without signature');
  const ok = verifySignature(new Uint8Array(Buffer.from(claims.pubkey, 'base64')), buildAad(publish), sig);
  if (!ok) throw new GatewayError('AUTH', 'control message signature does not verify');
  return claims;
}
