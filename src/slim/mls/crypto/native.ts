// A ts-mls CryptoProvider backed by node:crypto (OpenSSL) for ciphersuite 0x0002. ts-mls's own
// provider runs ECDSA in JavaScript (@noble/curves) and every hash, HMAC and HKDF step through an
// async WebCrypto round trip; here all of it is native and synchronous underneath the async
// interface. The bytes are the same (deterministic derivations, standard encodings), which the
// tests check by mixing both providers in one group. Other ciphersuites fall back to ts-mls's.
import { defaultCryptoProvider } from 'ts-mls';
import type { CiphersuiteImpl, CryptoProvider } from 'ts-mls';
import { makeNativeHpke } from './hpke.js';
import {
  HASH_LENGTH,
  ecdsaKeygen,
  ecdsaSign,
  ecdsaVerify,
  hkdfExpand,
  hkdfExtract,
  hmac,
  hmacVerify,
  randomBytes,
  sha256,
} from './primitives.js';

/** Suites built here: their primitives are synchronous and native (app-message.ts relies on it). */
const nativeSuites = new WeakSet<CiphersuiteImpl>();

export function isNativeSuite(cs: CiphersuiteImpl): boolean {
  return nativeSuites.has(cs);
}

function nativeP256Suite(): CiphersuiteImpl {
  const suite: CiphersuiteImpl = {
    name: 'MLS_128_DHKEMP256_AES128GCM_SHA256_P256',
    hash: {
      digest: async (data) => sha256(data),
      mac: async (key, data) => hmac(key, data),
      verifyMac: async (key, mac, data) => hmacVerify(key, mac, data),
    },
    kdf: {
      extract: async (salt, ikm) => hkdfExtract(salt, ikm),
      expand: async (prk, info, length) => hkdfExpand(prk, info, length),
      size: HASH_LENGTH,
    },
    signature: {
      sign: async (signKey, message) => ecdsaSign(signKey, message),
      verify: async (publicKey, message, signature) => ecdsaVerify(publicKey, message, signature),
      keygen: async () => ecdsaKeygen(),
    },
    hpke: makeNativeHpke(),
    rng: { randomBytes },
  };
  nativeSuites.add(suite);
  return suite;
}

export const nativeCryptoProvider: CryptoProvider = {
  async getCiphersuiteImpl(cs) {
    if (cs.name === 'MLS_128_DHKEMP256_AES128GCM_SHA256_P256') return nativeP256Suite();
    return defaultCryptoProvider.getCiphersuiteImpl(cs);
  },
};
