// Synchronous node:crypto (OpenSSL) primitives for ciphersuite 0x0002: SHA-256, HMAC-SHA256,
// HKDF-SHA256 (RFC 5869, extract and expand separately, as MLS uses them), AES-128-GCM with the
// tag appended (RFC 5116), P-256 ECDSA-SHA256 with DER signatures (RFC 9420 §5.1.2).
// Everything returned is a fresh plain Uint8Array: ts-mls mutates some outputs in place (nonces)
// and zeroes others, so nothing may alias a pooled Buffer.
import {
  ECDH,
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hash,
  randomFillSync,
  sign,
  timingSafeEqual,
  verify,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';

export const HASH_LENGTH = 32;
const TAG_LENGTH = 16;
const EMPTY: Uint8Array = new Uint8Array(0);

function copy(buf: Uint8Array): Uint8Array {
  return new Uint8Array(buf);
}

/** One-shot hashing (node >= 20.12) skips the Hash object; older 20.x fall back to createHash. */
const oneShot = typeof hash === 'function';

export function sha256(data: Uint8Array): Uint8Array {
  return copy(oneShot ? hash('sha256', data, 'buffer') : createHash('sha256').update(data).digest());
}

export function hmac(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return copy(h.digest());
}

export function hmacVerify(key: Uint8Array, mac: Uint8Array, data: Uint8Array): boolean {
  const expected = hmac(key, data);
  return mac.length === expected.length && timingSafeEqual(mac, expected);
}

/** HKDF-Extract; an empty salt means HashLen zero bytes, which HMAC treats identically. */
export function hkdfExtract(salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return hmac(salt, ikm);
}

export function hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const blocks = Math.ceil(length / HASH_LENGTH);
  if (blocks > 255) throw new RangeError('HKDF-Expand: output too long');
  const out = new Uint8Array(blocks * HASH_LENGTH);
  let previous: Uint8Array = EMPTY;
  const counter = new Uint8Array(1);
  for (let i = 1; i <= blocks; i++) {
    counter[0] = i;
    previous = hmac(prk, previous, info, counter);
    out.set(previous, (i - 1) * HASH_LENGTH);
  }
  return length === out.length ? out : out.slice(0, length);
}

export function aesGcmSeal(
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
  /** Where the ciphertext goes: fresh memory, unless the caller drops it at once (transientBytes). */
  alloc: (n: number) => Uint8Array = (n) => new Uint8Array(n),
): Uint8Array {
  const cipher = createCipheriv('aes-128-gcm', key, nonce, { authTagLength: TAG_LENGTH });
  if (aad.length > 0) cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  const tail = cipher.final();
  const tag = cipher.getAuthTag();
  const out = alloc(body.length + tail.length + TAG_LENGTH);
  out.set(body, 0);
  out.set(tail, body.length);
  out.set(tag, body.length + tail.length);
  return out;
}

export function aesGcmOpen(
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  ciphertext: Uint8Array,
): Uint8Array {
  if (ciphertext.length < TAG_LENGTH) throw new Error('AEAD: ciphertext shorter than the tag');
  const bodyLength = ciphertext.length - TAG_LENGTH;
  const decipher = createDecipheriv('aes-128-gcm', key, nonce, { authTagLength: TAG_LENGTH });
  decipher.setAuthTag(ciphertext.subarray(bodyLength));
  if (aad.length > 0) decipher.setAAD(aad);
  const body = decipher.update(ciphertext.subarray(0, bodyLength));
  let tail: Buffer;
  try {
    tail = decipher.final();
  } catch {
    throw new Error('AEAD: authentication failed');
  }
  const out = new Uint8Array(body.length + tail.length);
  out.set(body, 0);
  out.set(tail, body.length);
  return out;
}

export function randomBytes(n: number): Uint8Array {
  return randomFillSync(new Uint8Array(n));
}

const POOL_BYTES = 4096;
const pool = new Uint8Array(POOL_BYTES);
let poolPos = POOL_BYTES;

/** `n` (small) random bytes from a pool refilled in 4 KiB blocks: one random call per ~1000 reuse guards. */
export function pooledRandomBytes(n: number): Uint8Array {
  if (poolPos + n > POOL_BYTES) {
    randomFillSync(pool);
    poolPos = 0;
  }
  const out = pool.slice(poolPos, poolPos + n);
  poolPos += n;
  return out;
}

// ---- P-256 ECDSA ----

/** Signing keys by identity of the scalar array ts-mls holds in its state (it keeps one array). */
const signingKeys = new WeakMap<Uint8Array, KeyObject>();

export const P256_SCALAR_LENGTH = 32;

function p256PrivateKey(scalar: Uint8Array): KeyObject {
  let key = signingKeys.get(scalar);
  if (key) return key;
  if (scalar.length !== P256_SCALAR_LENGTH) throw new Error('P-256 private key must be 32 bytes');
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(scalar);
  const pub = ecdh.getPublicKey();
  key = createPrivateKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      d: Buffer.from(scalar).toString('base64url'),
      x: pub.subarray(1, 33).toString('base64url'),
      y: pub.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  });
  signingKeys.set(scalar, key);
  return key;
}

export function ecdsaSign(scalar: Uint8Array, message: Uint8Array): Uint8Array {
  return copy(sign('sha256', message, { key: p256PrivateKey(scalar), dsaEncoding: 'der' }));
}

/**
 * Verification keys: by array identity (ts-mls keeps one array per leaf), then by value (bounded).
 * Imported as JWK, which OpenSSL 3 parses markedly faster than SPKI DER.
 */
const verifyKeys = new WeakMap<Uint8Array, KeyObject>();
const verifyKeysByValue = new Map<string, KeyObject>();
const MAX_CACHED_KEYS = 4096;

function p256PublicKey(publicKey: Uint8Array): KeyObject {
  let key = verifyKeys.get(publicKey);
  if (key) return key;
  const id = Buffer.from(publicKey).toString('base64');
  key = verifyKeysByValue.get(id);
  if (!key) {
    // Compressed points are expanded first (this also rejects points off the curve).
    const point =
      publicKey.length === 33
        ? ECDH.convertKey(publicKey, 'prime256v1', undefined, undefined, 'uncompressed')
        : publicKey;
    if (point.length !== 65 || point[0] !== 4) throw new Error('not a P-256 public key');
    const raw = Buffer.from(point as Uint8Array);
    key = createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: raw.subarray(1, 33).toString('base64url'),
        y: raw.subarray(33).toString('base64url'),
      },
      format: 'jwk',
    });
    if (verifyKeysByValue.size >= MAX_CACHED_KEYS) verifyKeysByValue.clear();
    verifyKeysByValue.set(id, key);
  }
  verifyKeys.set(publicKey, key);
  return key;
}

/** Uncompressed (65 B) or compressed (33 B) public keys; false for any malformed input. */
export function ecdsaVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify('sha256', message, { key: p256PublicKey(publicKey), dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}

export function ecdsaKeygen(): { publicKey: Uint8Array; signKey: Uint8Array } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' });
  const signKey = new Uint8Array(Buffer.from(jwk.d ?? '', 'base64url'));
  const publicKey = new Uint8Array(65);
  publicKey[0] = 4;
  publicKey.set(Buffer.from(jwk.x ?? '', 'base64url'), 1);
  publicKey.set(Buffer.from(jwk.y ?? '', 'base64url'), 33);
  signingKeys.set(signKey, privateKey);
  return { publicKey, signKey };
}
