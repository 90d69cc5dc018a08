// Identity for SLIM apps: tokens, signature keys, the HeaderIntegrityAad bytes and control-message
// signatures.
export { buildAad, AAD_VERSION } from './aad.js';
export { SharedSecretIdentity } from './identity.js';
export type { Clock, IdentityProvider, IdentityVerifier } from './identity.js';
export { generateSigningKey, signingKeyFromScalar, verifySignature } from './keys.js';
export type { SigningKey } from './keys.js';
export { signControl, verifyControl } from './signature.js';
export {
  MIN_SECRET_LENGTH,
  TOKEN_FUTURE_SKEW_SECONDS,
  TOKEN_VALIDITY_SECONDS,
  mintToken,
  newTokenId,
  verifyToken,
} from './token.js';
export type { TokenClaims } from './token.js';
