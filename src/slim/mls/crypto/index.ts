// The ciphersuite implementation a client uses: 'native' (node:crypto, crypto/native.ts) or ts-mls's
// 'default' (WebCrypto plus @noble/curves ECDSA in JavaScript). Both produce the same bytes on the
// wire, so members using either can share a group. One implementation per kind per process.
import { defaultCryptoProvider, getCiphersuiteFromName, getCiphersuiteImpl } from 'ts-mls';
import type { CiphersuiteImpl } from 'ts-mls';
import { CIPHERSUITE } from '../profile.js';
import { isNativeSuite, nativeCryptoProvider } from './native.js';

export type CryptoKind = 'native' | 'default';

const impls = new Map<CryptoKind, Promise<CiphersuiteImpl>>();

export function ciphersuiteImpl(kind: CryptoKind): Promise<CiphersuiteImpl> {
  let impl = impls.get(kind);
  if (!impl) {
    const provider = kind === 'native' ? nativeCryptoProvider : defaultCryptoProvider;
    impl = getCiphersuiteImpl(getCiphersuiteFromName(CIPHERSUITE), provider);
    impls.set(kind, impl);
  }
  return impl;
}

export { isNativeSuite, nativeCryptoProvider };
