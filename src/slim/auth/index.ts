// Identity for SLIM apps: tokens (shared-secret and JWT), signature keys, the HeaderIntegrityAad
// bytes and control-message signatures.
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
  claimedName,
  mintToken,
  newTokenId,
  verifyToken,
} from './token.js';
export type { TokenClaims } from './token.js';
export { tokenIssuedAt, tokenSubject } from './token-info.js';
export { decodeJwt, looksLikeJwt, signJwt, MAX_JWT_LENGTH } from './jwt.js';
export { JWS_ALGORITHMS, MAX_JWKS_KEYS, parsePrivateKey, parsePublicKeys, publicOf } from './jwt-keys.js';
export type { JwsAlgorithm, JwtPrivateKey, JwtPublicKey } from './jwt-keys.js';
export {
  DEFAULT_JWT_LIFETIME_SECONDS,
  JWT_REFRESH_FRACTION,
  JwtIdentity,
  JwtSigner,
  readSigningKeyFile,
  readTokenFile,
} from './jwt-identity.js';
export type { JwtIdentityOptions, JwtSignerOptions, JwtSource } from './jwt-identity.js';
export {
  JWKS_REFRESH_MIN_INTERVAL_MS,
  JWT_CLOCK_SKEW_SECONDS,
  JWT_VERIFIED_CACHE_SIZE,
  JwtVerifier,
  readTrustedKeyFile,
} from './jwt-verifier.js';
export type { JwtVerifierOptions } from './jwt-verifier.js';
export { LoggedVerifier, REFUSAL_LOG_INTERVAL_MS } from './refusal-log.js';
