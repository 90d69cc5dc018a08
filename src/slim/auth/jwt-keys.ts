// JWT keys (docs/security.md, "Identities on the wire"): reading the private key we sign our own
// tokens with (PEM or JWK) and the public keys we trust (PEM, JWK or JWKS), each with the JWS
// algorithm it is used with. The algorithm comes from the key: EC P-256 → ES256, P-384 → ES384,
// Ed25519 → EdDSA, RSA → RS256 unless a JWK names another RS*/PS* algorithm. Symmetric keys
// (HS*) and `none` are refused: a shared HMAC key is what the shared secret already is.
// Keys are node:crypto KeyObjects, so signing and verifying are synchronous (see jwt.ts).
import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { GatewayError } from '../../util/errors.js';

export const JWS_ALGORITHMS = [
  'ES256',
  'ES384',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
] as const;
export type JwsAlgorithm = (typeof JWS_ALGORITHMS)[number];

/** Keys a JWKS may hold before we refuse it (a JWKS is small; a huge one is an attack or a mistake). */
export const MAX_JWKS_KEYS = 100;

export interface JwtPrivateKey {
  readonly alg: JwsAlgorithm;
  readonly key: KeyObject;
  /** The JWK's `kid`, when the key file is a JWK that names one. */
  readonly kid: string | undefined;
}

export interface JwtPublicKey {
  readonly alg: JwsAlgorithm;
  readonly key: KeyObject;
  readonly kid: string | undefined;
}

export function isJwsAlgorithm(alg: unknown): alg is JwsAlgorithm {
  return typeof alg === 'string' && (JWS_ALGORITHMS as readonly string[]).includes(alg);
}

/** The algorithm a key is used with: the JWK's `alg` if it names one we accept, else from its type. */
function algorithmOf(key: KeyObject, declared: unknown, where: string): JwsAlgorithm {
  const type = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  let natural: JwsAlgorithm[];
  if (type === 'ec' && curve === 'prime256v1') natural = ['ES256'];
  else if (type === 'ec' && curve === 'secp384r1') natural = ['ES384'];
  else if (type === 'ed25519') natural = ['EdDSA'];
  else if (type === 'rsa') natural = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
  else if (type === 'rsa-pss') natural = ['PS256', 'PS384', 'PS512'];
  else
    throw new GatewayError(
      'CONFIG',
      `${where}: unsupported key type ${type ?? 'symmetric'}${curve ? ` (${curve})` : ''}; ` +
        'use EC P-256/P-384, RSA or Ed25519',
    );
  if (declared === undefined) return natural[0]!;
  if (!isJwsAlgorithm(declared) || !natural.includes(declared))
    throw new GatewayError('CONFIG', `${where}: algorithm ${String(declared)} does not fit a ${type} key`);
  return declared;
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new GatewayError('CONFIG', `${where}: neither PEM nor JSON`, { cause: err });
  }
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function kidOf(jwk: Record<string, unknown>): string | undefined {
  return typeof jwk['kid'] === 'string' && jwk['kid'] !== '' ? jwk['kid'] : undefined;
}

/** The private key in `text` (PEM: PKCS#8, SEC1 or PKCS#1; or one JWK with `d`). */
export function parsePrivateKey(text: string, where = 'key'): JwtPrivateKey {
  if (text.includes('-----BEGIN')) {
    if (!text.includes('PRIVATE KEY-----'))
      throw new GatewayError('CONFIG', `${where}: the PEM holds no private key`);
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: text, format: 'pem' });
    } catch (err) {
      throw new GatewayError('CONFIG', `${where}: not a readable private key`, { cause: err });
    }
    return { key, alg: algorithmOf(key, undefined, where), kid: undefined };
  }
  const jwk = parseJson(text, where);
  if (!isObj(jwk) || typeof jwk['kty'] !== 'string')
    throw new GatewayError('CONFIG', `${where}: not a JWK (a JWKS holds public keys, not the signing key)`);
  if (jwk['d'] === undefined) throw new GatewayError('CONFIG', `${where}: the JWK has no private part (d)`);
  if (jwk['kty'] === 'oct')
    throw new GatewayError('CONFIG', `${where}: symmetric (oct) keys are not accepted`);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch (err) {
    throw new GatewayError('CONFIG', `${where}: not a readable private JWK`, { cause: err });
  }
  return { key, alg: algorithmOf(key, jwk['alg'], where), kid: kidOf(jwk) };
}

function publicFromJwk(jwk: unknown, where: string): JwtPublicKey {
  if (!isObj(jwk) || typeof jwk['kty'] !== 'string') throw new GatewayError('CONFIG', `${where}: not a JWK`);
  if (jwk['kty'] === 'oct')
    throw new GatewayError('CONFIG', `${where}: symmetric (oct) keys are not accepted`);
  // Only the public members: a JWK with `d` must not make us hold a private key we do not need.
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, oth: _oth, ...pub } = jwk;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pub as JsonWebKey, format: 'jwk' });
  } catch (err) {
    throw new GatewayError('CONFIG', `${where}: not a readable public JWK`, { cause: err });
  }
  return { key, alg: algorithmOf(key, jwk['alg'], where), kid: kidOf(jwk) };
}

/**
 * The public keys in `text`: PEM (one or more PUBLIC KEY or CERTIFICATE blocks; a private key's
 * public half), one JWK, or a JWKS (`{"keys": [...]}`).
 */
export function parsePublicKeys(text: string, where = 'keys'): JwtPublicKey[] {
  if (text.includes('-----BEGIN')) {
    const blocks = text.match(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g) ?? [];
    if (blocks.length === 0) throw new GatewayError('CONFIG', `${where}: no complete PEM block`);
    if (blocks.length > MAX_JWKS_KEYS)
      throw new GatewayError('CONFIG', `${where}: more than ${MAX_JWKS_KEYS} keys`);
    return blocks.map((block, i) => {
      let key: KeyObject;
      try {
        key = createPublicKey({ key: block, format: 'pem' });
      } catch (err) {
        throw new GatewayError('CONFIG', `${where}: PEM block ${i + 1} is not a public key`, { cause: err });
      }
      return { key, alg: algorithmOf(key, undefined, where), kid: undefined };
    });
  }
  const doc = parseJson(text, where);
  if (isObj(doc) && Array.isArray(doc['keys'])) {
    const keys = doc['keys'] as unknown[];
    if (keys.length > MAX_JWKS_KEYS)
      throw new GatewayError('CONFIG', `${where}: more than ${MAX_JWKS_KEYS} keys`);
    if (keys.length === 0) throw new GatewayError('CONFIG', `${where}: the JWKS has no keys`);
    return keys.map((k, i) => publicFromJwk(k, `${where} (key ${i + 1})`));
  }
  return [publicFromJwk(doc, where)];
}

/** The public half of a private key, as trusted keys (a gateway trusting its own tokens). */
export function publicOf(priv: JwtPrivateKey): JwtPublicKey {
  return { key: createPublicKey(priv.key), alg: priv.alg, kid: priv.kid };
}
