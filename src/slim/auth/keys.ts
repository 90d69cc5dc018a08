// Signature keys: one P-256 key pair per app (the MLS signature key, whose public key the identity
// token publishes), using node:crypto. Verification accepts what the reference accepts: P-256
// public keys of 65 (uncompressed) or 33 (compressed) bytes with DER ECDSA-SHA256 signatures, and
// 32-byte Ed25519 keys with raw 64-byte signatures (docs/sessions-mls.md#control-signatures).
import {
  createECDH,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { GatewayError } from '../../util/errors.js';

const P256_SPKI_UNCOMPRESSED = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');
const P256_SPKI_COMPRESSED = Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex');
const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex');

export interface SigningKey {
  /** 65-byte uncompressed SEC1 point (0x04 ‖ X ‖ Y). */
  readonly publicKey: Uint8Array;
  /** 32-byte private scalar (for ts-mls, which takes raw keys). */
  readonly privateScalar: Uint8Array;
  /** DER ECDSA-SHA256 signature over `data`. */
  sign(data: Uint8Array): Uint8Array;
}

function fromKeyObject(privateKey: KeyObject): SigningKey {
  const jwk = privateKey.export({ format: 'jwk' });
  if (!jwk.x || !jwk.y || !jwk.d) throw new GatewayError('INTERNAL', 'P-256 key export failed');
  const publicKey = new Uint8Array(
    Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]),
  );
  const privateScalar = new Uint8Array(Buffer.from(jwk.d, 'base64url'));
  return {
    publicKey,
    privateScalar,
    sign: (data) => new Uint8Array(sign('sha256', data, { key: privateKey, dsaEncoding: 'der' })),
  };
}

export function generateSigningKey(): SigningKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return fromKeyObject(privateKey);
}

/** Rebuilds a key from its 32-byte private scalar. */
export function signingKeyFromScalar(scalar: Uint8Array): SigningKey {
  const d = Buffer.from(scalar);
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  const pub = ecdh.getPublicKey();
  const privateKey = createPrivateKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      d: d.toString('base64url'),
      x: pub.subarray(1, 33).toString('base64url'),
      y: pub.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  });
  return fromKeyObject(privateKey);
}

const verifierCache = new Map<string, KeyObject>();

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  const cacheKey = Buffer.from(publicKey).toString('base64');
  let key = verifierCache.get(cacheKey);
  if (key) return key;
  let prefix: Buffer;
  if (publicKey.length === 65) prefix = P256_SPKI_UNCOMPRESSED;
  else if (publicKey.length === 33) prefix = P256_SPKI_COMPRESSED;
  else if (publicKey.length === 32) prefix = ED25519_SPKI;
  else throw new GatewayError('AUTH', `unsupported signature public key length ${publicKey.length}`);
  key = createPublicKey({ key: Buffer.concat([prefix, publicKey]), format: 'der', type: 'spki' });
  if (verifierCache.size > 1000) verifierCache.clear();
  verifierCache.set(cacheKey, key);
  return key;
}

/** Checks a signature made with the key whose raw public form is `publicKey`. */
export function verifySignature(publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    const key = publicKeyObject(publicKey);
    if (publicKey.length === 32) return verify(null, data, key, signature);
    return verify('sha256', data, { key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}
