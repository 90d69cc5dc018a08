// Link key agreement (docs/dataplane.md#header-mac): each side of a link makes an ephemeral X25519
// key pair during negotiation; the header-MAC key is
// HKDF-SHA256(ikm = X25519 shared secret, salt = utf8(link_id), info = "SLIM-DP-inter-node-hmac-v1", 32).
// Private keys stay in KeyObjects and are never logged or exported.
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { GatewayError } from '../../util/errors.js';

export const X25519_KEY_BYTES = 32;
const HKDF_INFO = 'SLIM-DP-inter-node-hmac-v1';
// DER prefixes of an X25519 SubjectPublicKeyInfo and PKCS#8 PrivateKeyInfo around the raw 32 bytes.
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

export interface LinkKeyPair {
  readonly privateKey: KeyObject;
  /** The raw 32-byte public key that goes on the wire. */
  readonly publicKey: Uint8Array;
}

export function generateLinkKeyPair(): LinkKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return { privateKey, publicKey: new Uint8Array(der.subarray(der.length - X25519_KEY_BYTES)) };
}

/** A key pair from a raw private key (known-answer tests only). */
export function linkKeyPairFromPrivate(raw: Uint8Array): LinkKeyPair {
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, raw]),
    format: 'der',
    type: 'pkcs8',
  });
  const der = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { privateKey, publicKey: new Uint8Array(der.subarray(der.length - X25519_KEY_BYTES)) };
}

/** Derives the link's header-MAC key; PROTOCOL error if the peer key is unusable. */
export function deriveHeaderMacKey(own: LinkKeyPair, peerPublic: Uint8Array, linkId: string): Uint8Array {
  if (peerPublic.length !== X25519_KEY_BYTES) {
    throw new GatewayError('PROTOCOL', `link public key has ${peerPublic.length} bytes, expected 32`);
  }
  let shared: Buffer;
  try {
    const publicKey = createPublicKey({
      key: Buffer.concat([SPKI_PREFIX, peerPublic]),
      format: 'der',
      type: 'spki',
    });
    shared = diffieHellman({ privateKey: own.privateKey, publicKey });
  } catch (err) {
    throw new GatewayError('PROTOCOL', 'link key agreement failed', { cause: err });
  }
  // An all-zero result means a small-order peer key: refuse it as the reference's backends do.
  if (shared.every((b) => b === 0)) throw new GatewayError('PROTOCOL', 'link key agreement failed');
  return new Uint8Array(hkdfSync('sha256', shared, Buffer.from(linkId, 'utf8'), HKDF_INFO, 32));
}
