// Compact JWS for SLIM identity tokens (docs/security.md, "Identities on the wire"): signing,
// signature checks and the claim checks, with node:crypto so they are synchronous. The session and
// MLS layers check identities synchronously (a frame is accepted or refused where it is read, and
// ts-mls asks through a callback), so an async JOSE library call per check would not fit; keys are
// imported once (jwt-keys.ts) and each check is one node:crypto verify. jose is used by the tests
// as an independent implementation to cross-check these tokens both ways.
//
// What the reference puts in its tokens (crates/auth/src/jwt.rs SignerJwt::get_token): header
// {"typ":"JWT","alg":…,"kid":<sub>}, claims {iss, sub, aud: [..], exp, iat, nbf, pubkey} with
// `pubkey` = standard base64 of the MLS signature public key. `aud` is always an array: the
// reference's StandardClaims reads it as a list and refuses a plain string.
import { constants, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { GatewayError } from '../../util/errors.js';
import type { JwsAlgorithm, JwtPrivateKey, JwtPublicKey } from './jwt-keys.js';
import { isJwsAlgorithm } from './jwt-keys.js';

/** Longest token we look at (a SLIM JWT is well under 2 KiB; the header field is attacker-sized). */
export const MAX_JWT_LENGTH = 16 * 1024;

export interface JwtHeader {
  readonly alg: JwsAlgorithm;
  readonly kid: string | undefined;
}

export interface JwtPayload {
  readonly [claim: string]: unknown;
}

export interface DecodedJwt {
  readonly header: JwtHeader;
  readonly payload: JwtPayload;
  /** `header.payload`, the signed bytes. */
  readonly signingInput: string;
  readonly signature: Buffer;
}

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function hashOf(alg: JwsAlgorithm): string | null {
  if (alg === 'EdDSA') return null;
  return `sha${alg.slice(2)}`;
}

function signBytes(alg: JwsAlgorithm, key: KeyObject, data: Buffer): Buffer {
  const hash = hashOf(alg);
  if (alg.startsWith('ES')) return sign(hash, data, { key, dsaEncoding: 'ieee-p1363' });
  if (alg.startsWith('PS'))
    return sign(hash, data, {
      key,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
    });
  return sign(hash, data, key);
}

function verifyBytes(alg: JwsAlgorithm, key: KeyObject, data: Buffer, signature: Buffer): boolean {
  const hash = hashOf(alg);
  try {
    if (alg.startsWith('ES')) return verify(hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    if (alg.startsWith('PS'))
      return verify(
        hash,
        data,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
        signature,
      );
    return verify(hash, data, key, signature);
  } catch {
    return false;
  }
}

/** A signed compact JWS of `payload` (header typ JWT, the key's algorithm, `kid` when given). */
export function signJwt(payload: JwtPayload, key: JwtPrivateKey, kid: string | undefined): string {
  const header = kid === undefined ? { typ: 'JWT', alg: key.alg } : { typ: 'JWT', alg: key.alg, kid };
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${signBytes(key.alg, key.key, Buffer.from(input)).toString('base64url')}`;
}

function parsePart(part: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new GatewayError('AUTH', `malformed identity token (${what} is not base64url JSON)`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new GatewayError('AUTH', `malformed identity token (${what} is not a JSON object)`);
  return v as Record<string, unknown>;
}

/** Splits and parses a compact JWS without checking it; throws AUTH naming what is wrong. */
export function decodeJwt(token: string): DecodedJwt {
  if (token.length > MAX_JWT_LENGTH) throw new GatewayError('AUTH', 'identity token too long');
  const parts = token.split('.');
  if (parts.length !== 3) throw new GatewayError('AUTH', 'malformed identity token (not a JWT)');
  const [h, p, s] = parts as [string, string, string];
  const header = parsePart(h, 'header');
  const alg = header['alg'];
  if (!isJwsAlgorithm(alg))
    throw new GatewayError('AUTH', `identity token algorithm ${String(alg)} is not accepted`);
  const kid = typeof header['kid'] === 'string' ? header['kid'] : undefined;
  return {
    header: { alg, kid },
    payload: parsePart(p, 'claims'),
    signingInput: `${h}.${p}`,
    signature: Buffer.from(s, 'base64url'),
  };
}

/** True when `jwt`'s signature verifies with `key` (same algorithm family only). */
export function jwtSignatureValid(jwt: DecodedJwt, key: JwtPublicKey): boolean {
  if (key.alg !== jwt.header.alg && !sameFamily(key.alg, jwt.header.alg)) return false;
  return verifyBytes(jwt.header.alg, key.key, Buffer.from(jwt.signingInput), jwt.signature);
}

/** An RSA key verifies RS* and PS* of any hash; EC and Ed25519 keys only their own algorithm. */
function sameFamily(keyAlg: JwsAlgorithm, tokenAlg: JwsAlgorithm): boolean {
  const rsa = (a: string) => a.startsWith('RS') || a.startsWith('PS');
  return rsa(keyAlg) && rsa(tokenAlg) && !(keyAlg.startsWith('PS') && tokenAlg.startsWith('RS'));
}

/** True when `token` looks like a JWT (three dot-separated parts) rather than a shared-secret token. */
export function looksLikeJwt(token: string): boolean {
  let dots = 0;
  for (let i = 0; i < token.length && dots < 3; i++) if (token.charCodeAt(i) === 46) dots++;
  return dots === 2 && !token.includes(':');
}
