// HPKE (RFC 9180) base mode for ciphersuite 0x0002: DHKEM(P-256, HKDF-SHA256) (kem 0x0010),
// HKDF-SHA256 (kdf 0x0001), AES-128-GCM (aead 0x0001), single-shot seal/open and the secret
// export, on node:crypto. MLS uses it for path secrets, Welcome group secrets and key derivation
// of tree nodes (DeriveKeyPair, §7.1.3, whose exact output every member must reproduce).
// Keys are opaque objects that only this module reads; ts-mls passes them back unchanged.
import { ECDH, createECDH } from 'node:crypto';
import type { Hpke, PrivateKey, PublicKey } from 'ts-mls';
import { HASH_LENGTH, aesGcmOpen, aesGcmSeal, hkdfExpand, hkdfExtract } from './primitives.js';

const enc = new TextEncoder();
const EMPTY = new Uint8Array(0);
const KEY_LENGTH = 16;
const NONCE_LENGTH = 12;
const SCALAR_LENGTH = 32;
const POINT_LENGTH = 65;
/** Order of the P-256 group. */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

const KEM_SUITE = new Uint8Array([...enc.encode('KEM'), 0x00, 0x10]);
const HPKE_SUITE = new Uint8Array([...enc.encode('HPKE'), 0x00, 0x10, 0x00, 0x01, 0x00, 0x01]);
const VERSION = enc.encode('HPKE-v1');

function concat(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function labeledExtract(suite: Uint8Array, salt: Uint8Array, label: string, ikm: Uint8Array): Uint8Array {
  return hkdfExtract(salt, concat(VERSION, suite, enc.encode(label), ikm));
}

function labeledExpand(
  suite: Uint8Array,
  prk: Uint8Array,
  label: string,
  info: Uint8Array,
  length: number,
): Uint8Array {
  const l = new Uint8Array([length >> 8, length & 0xff]);
  return hkdfExpand(prk, concat(l, VERSION, suite, enc.encode(label), info), length);
}

interface NativeKey {
  readonly type: 'private' | 'public';
  /** Private keys: the 32-byte scalar. */
  readonly scalar?: Uint8Array;
  /** Private keys: an ECDH holding the scalar, so opening does not recompute the public point. */
  readonly ecdh?: ECDH;
  /** Uncompressed SEC1 point. */
  readonly point: Uint8Array;
}

function asNative(key: PrivateKey | PublicKey): NativeKey {
  const k = key as unknown as NativeKey;
  if (!(k.point instanceof Uint8Array)) throw new Error('HPKE: key was not made by this provider');
  return k;
}

function privateKeyFromScalar(scalar: Uint8Array): PrivateKey {
  if (scalar.length !== SCALAR_LENGTH) throw new Error('HPKE: P-256 private key must be 32 bytes');
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(scalar); // throws for 0 or a value not below the group order
  const key: NativeKey = {
    type: 'private',
    scalar: new Uint8Array(scalar),
    ecdh,
    point: new Uint8Array(ecdh.getPublicKey()),
  };
  return key as unknown as PrivateKey;
}

function publicKeyFromPoint(point: Uint8Array): PublicKey {
  if (point.length !== POINT_LENGTH || point[0] !== 4)
    throw new Error('HPKE: P-256 public key must be 65 bytes');
  // Parses the point; OpenSSL rejects one that is not on the curve.
  ECDH.convertKey(point, 'prime256v1');
  const key: NativeKey = { type: 'public', point: new Uint8Array(point) };
  return key as unknown as PublicKey;
}

function extractAndExpand(sharedDh: Uint8Array, kemContext: Uint8Array): Uint8Array {
  const eaePrk = labeledExtract(KEM_SUITE, EMPTY, 'eae_prk', sharedDh);
  return labeledExpand(KEM_SUITE, eaePrk, 'shared_secret', kemContext, HASH_LENGTH);
}

function encap(recipient: NativeKey): { sharedSecret: Uint8Array; enc: Uint8Array } {
  const ephemeral = createECDH('prime256v1');
  const encapsulated = new Uint8Array(ephemeral.generateKeys());
  const sharedDh = new Uint8Array(ephemeral.computeSecret(recipient.point));
  return {
    sharedSecret: extractAndExpand(sharedDh, concat(encapsulated, recipient.point)),
    enc: encapsulated,
  };
}

function decap(encapsulated: Uint8Array, recipient: NativeKey): Uint8Array {
  if (!recipient.ecdh) throw new Error('HPKE: a private key is needed to open');
  if (encapsulated.length !== POINT_LENGTH) throw new Error('HPKE: bad encapsulated key length');
  const sharedDh = new Uint8Array(recipient.ecdh.computeSecret(encapsulated));
  return extractAndExpand(sharedDh, concat(encapsulated, recipient.point));
}

const PSK_ID_HASH = labeledExtract(HPKE_SUITE, EMPTY, 'psk_id_hash', EMPTY);

interface Context {
  key: Uint8Array;
  baseNonce: Uint8Array;
  exporterSecret: Uint8Array;
}

function keySchedule(sharedSecret: Uint8Array, info: Uint8Array): Context {
  const infoHash = labeledExtract(HPKE_SUITE, EMPTY, 'info_hash', info);
  const context = concat(new Uint8Array([0x00]), PSK_ID_HASH, infoHash);
  const secret = labeledExtract(HPKE_SUITE, sharedSecret, 'secret', EMPTY);
  return {
    key: labeledExpand(HPKE_SUITE, secret, 'key', context, KEY_LENGTH),
    baseNonce: labeledExpand(HPKE_SUITE, secret, 'base_nonce', context, NONCE_LENGTH),
    exporterSecret: labeledExpand(HPKE_SUITE, secret, 'exp', context, HASH_LENGTH),
  };
}

/** RFC 9180 §7.1.3: rejection sampling of a scalar from the input keying material. */
export function deriveScalar(ikm: Uint8Array): Uint8Array {
  const dkpPrk = labeledExtract(KEM_SUITE, EMPTY, 'dkp_prk', ikm);
  for (let counter = 0; counter <= 255; counter++) {
    const candidate = labeledExpand(KEM_SUITE, dkpPrk, 'candidate', new Uint8Array([counter]), SCALAR_LENGTH);
    const sk = BigInt('0x' + Buffer.from(candidate).toString('hex'));
    if (sk !== 0n && sk < P256_ORDER) return candidate;
  }
  throw new Error('HPKE: DeriveKeyPair failed');
}

function keyPair(scalar: Uint8Array): { privateKey: PrivateKey; publicKey: PublicKey } {
  const privateKey = privateKeyFromScalar(scalar);
  const publicKey = { type: 'public', point: asNative(privateKey).point } as unknown as PublicKey;
  return { privateKey, publicKey };
}

export function makeNativeHpke(): Hpke {
  return {
    async seal(publicKey, plaintext, info, aad) {
      const { sharedSecret, enc: encapsulated } = encap(asNative(publicKey));
      const ctx = keySchedule(sharedSecret, info);
      return { ct: aesGcmSeal(ctx.key, ctx.baseNonce, aad ?? EMPTY, plaintext), enc: encapsulated };
    },
    async open(privateKey, kemOutput, ciphertext, info, aad) {
      const ctx = keySchedule(decap(kemOutput, asNative(privateKey)), info);
      return aesGcmOpen(ctx.key, ctx.baseNonce, aad ?? EMPTY, ciphertext);
    },
    async exportSecret(publicKey, exporterContext, length, info) {
      const { sharedSecret, enc: encapsulated } = encap(asNative(publicKey));
      const ctx = keySchedule(sharedSecret, info);
      return {
        enc: encapsulated,
        secret: labeledExpand(HPKE_SUITE, ctx.exporterSecret, 'sec', exporterContext, length),
      };
    },
    async importSecret(privateKey, exporterContext, kemOutput, length, info) {
      const ctx = keySchedule(decap(kemOutput, asNative(privateKey)), info);
      return labeledExpand(HPKE_SUITE, ctx.exporterSecret, 'sec', exporterContext, length);
    },
    importPrivateKey: async (k) => privateKeyFromScalar(k),
    importPublicKey: async (k) => publicKeyFromPoint(k),
    exportPublicKey: async (k) => new Uint8Array(asNative(k).point),
    exportPrivateKey: async (k) => {
      const scalar = asNative(k).scalar;
      if (!scalar) throw new Error('HPKE: not a private key');
      return new Uint8Array(scalar);
    },
    encryptAead: async (key, nonce, aad, plaintext) => aesGcmSeal(key, nonce, aad ?? EMPTY, plaintext),
    decryptAead: async (key, nonce, aad, ciphertext) => aesGcmOpen(key, nonce, aad ?? EMPTY, ciphertext),
    deriveKeyPair: async (ikm) => keyPair(deriveScalar(ikm)),
    generateKeyPair: () => {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      // getPrivateKey() drops leading zero bytes; the scalar is always 32 bytes.
      const scalar = new Uint8Array(SCALAR_LENGTH);
      const raw = ecdh.getPrivateKey();
      scalar.set(raw, SCALAR_LENGTH - raw.length);
      return Promise.resolve(keyPair(scalar));
    },
    keyLength: KEY_LENGTH,
    nonceLength: NONCE_LENGTH,
  };
}
