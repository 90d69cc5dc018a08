// The native crypto provider (src/slim/mls/crypto) against an RFC 9180 known answer and against
// ts-mls's default provider, primitive by primitive: same hashes, MACs, HKDF output and AEAD
// bytes, signatures that verify across both, HPKE that opens across both, and the same key pair
// from DeriveKeyPair (which every group member must reproduce exactly).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { defaultCryptoProvider, getCiphersuiteFromName, getCiphersuiteImpl } from 'ts-mls';
import type { CiphersuiteImpl } from 'ts-mls';
import { nativeCryptoProvider } from '../../src/slim/mls/crypto/index.js';

const suite = getCiphersuiteFromName('MLS_128_DHKEMP256_AES128GCM_SHA256_P256');
const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

async function providers(): Promise<{ native: CiphersuiteImpl; js: CiphersuiteImpl }> {
  return {
    native: await getCiphersuiteImpl(suite, nativeCryptoProvider),
    js: await getCiphersuiteImpl(suite, defaultCryptoProvider),
  };
}

test('HPKE matches RFC 9180 A.3.1 (DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, base mode)', async () => {
  const { native } = await providers();
  const info = hex('4f6465206f6e2061204772656369616e2055726e');
  const recipient = await native.hpke.deriveKeyPair(
    hex('668b37171f1072f3cf12ea8a236a45df23fc13b82af3609ad1e354f6ef817550'),
  );
  assert.equal(
    toHex(await native.hpke.exportPrivateKey(recipient.privateKey)),
    'f3ce7fdae57e1a310d87f1ebbde6f328be0a99cdbcadf4d6589cf29de4b8ffd2',
  );
  assert.equal(
    toHex(await native.hpke.exportPublicKey(recipient.publicKey)),
    '04fe8c19ce0905191ebc298a9245792531f26f0cece2460639e8bc39cb7f706a826a779b4cf969b8a0e539c7f62fb3d30ad6aa8f80e30f1d128aafd68a2ce72ea0',
  );
  const ephemeral = await native.hpke.deriveKeyPair(
    hex('4270e54ffd08d79d5928020af4686d8f6b7d35dbe470265f1f5aa22816ce860e'),
  );
  const enc = await native.hpke.exportPublicKey(ephemeral.publicKey);
  assert.equal(
    toHex(enc),
    '04a92719c6195d5085104f469a8b9814d5838ff72b60501e2c4466e5e67b325ac98536d7b61a1af4b78e5b7f951c0900be863c403ce65c9bfcb9382657222d18c4',
  );
  const pt = await native.hpke.open(
    recipient.privateKey,
    enc,
    hex('5ad590bb8baa577f8619db35a36311226a896e7342a6d836d8b7bcd2f20b6c7f9076ac232e3ab2523f39513434'),
    info,
    hex('436f756e742d30'),
  );
  assert.equal(Buffer.from(pt).toString(), 'Beauty is truth, truth beauty');
  const exported = await native.hpke.importSecret(
    recipient.privateKey,
    hex('54657374436f6e74657874'),
    enc,
    32,
    info,
  );
  assert.equal(toHex(exported), 'd8f1ea7942adbba7412c6d431c62d01371ea476b823eb697e1f6e6cae1dab85a');
  const tampered = hex(
    '5ad590bb8baa577f8619db35a36311226a896e7342a6d836d8b7bcd2f20b6c7f9076ac232e3ab2523f39513435',
  );
  await assert.rejects(native.hpke.open(recipient.privateKey, enc, tampered, info, hex('436f756e742d30')));
});

test('hash, HMAC, HKDF and AES-128-GCM give the same bytes as the default provider', async () => {
  const { native, js } = await providers();
  for (const size of [0, 1, 55, 64, 1000]) {
    const data = randomBytes(size);
    const key = randomBytes(32);
    assert.equal(toHex(await native.hash.digest(data)), toHex(await js.hash.digest(data)));
    assert.equal(toHex(await native.hash.mac(key, data)), toHex(await js.hash.mac(key, data)));
    assert.ok(await native.hash.verifyMac(key, await js.hash.mac(key, data), data));
    assert.ok(!(await native.hash.verifyMac(key, new Uint8Array(32), data)));
    const prk = await native.kdf.extract(key, data);
    assert.equal(toHex(prk), toHex(await js.kdf.extract(key, data)));
    assert.equal(
      toHex(await native.kdf.extract(new Uint8Array(), data)),
      toHex(await js.kdf.extract(new Uint8Array(), data)),
    );
    for (const length of [12, 16, 32, 33, 100]) {
      assert.equal(
        toHex(await native.kdf.expand(prk, data, length)),
        toHex(await js.kdf.expand(prk, data, length)),
      );
    }
    const aeadKey = randomBytes(16);
    const nonce = randomBytes(12);
    const ct = await native.hpke.encryptAead(aeadKey, nonce, data, key);
    assert.equal(toHex(ct), toHex(await js.hpke.encryptAead(aeadKey, nonce, data, key)));
    assert.equal(toHex(await js.hpke.decryptAead(aeadKey, nonce, data, ct)), toHex(key));
    assert.equal(toHex(await native.hpke.decryptAead(aeadKey, nonce, data, ct)), toHex(key));
    const bad = new Uint8Array(ct);
    bad[0]! ^= 1;
    await assert.rejects(native.hpke.decryptAead(aeadKey, nonce, data, bad));
  }
});

test('ECDSA P-256 signatures verify across providers; forgeries and bad keys do not', async () => {
  const { native, js } = await providers();
  for (const [signer, verifier] of [
    [native, js],
    [js, native],
  ] as const) {
    const { signKey, publicKey } = await signer.signature.keygen();
    const message = randomBytes(300);
    const sig = await signer.signature.sign(signKey, message);
    assert.ok(await verifier.signature.verify(publicKey, message, sig));
    assert.ok(!(await verifier.signature.verify(publicKey, randomBytes(300), sig)));
  }
  const { signKey, publicKey } = await native.signature.keygen();
  assert.equal(publicKey.length, 65);
  const sig = await native.signature.sign(signKey, new Uint8Array([1]));
  assert.ok(!(await native.signature.verify(publicKey.subarray(0, 40), new Uint8Array([1]), sig)));
  assert.ok(!(await native.signature.verify(publicKey, new Uint8Array([1]), sig.subarray(0, 10))));
});

test('HPKE seals and opens across providers, and DeriveKeyPair agrees', async () => {
  const { native, js } = await providers();
  const info = randomBytes(20);
  const aad = randomBytes(7);
  for (const [sender, receiver] of [
    [native, js],
    [js, native],
  ] as const) {
    const kp = await receiver.hpke.generateKeyPair();
    const pkBytes = await receiver.hpke.exportPublicKey(kp.publicKey);
    const { ct, enc } = await sender.hpke.seal(
      await sender.hpke.importPublicKey(pkBytes),
      randomBytes(0),
      info,
      aad,
    );
    assert.equal((await receiver.hpke.open(kp.privateKey, enc, ct, info, aad)).length, 0);
    const message = randomBytes(200);
    const sealed = await sender.hpke.seal(await sender.hpke.importPublicKey(pkBytes), message, info, aad);
    assert.equal(
      toHex(await receiver.hpke.open(kp.privateKey, sealed.enc, sealed.ct, info, aad)),
      toHex(message),
    );
    const exp = await sender.hpke.exportSecret(await sender.hpke.importPublicKey(pkBytes), info, 32, aad);
    assert.equal(
      toHex(await receiver.hpke.importSecret(kp.privateKey, info, exp.enc, 32, aad)),
      toHex(exp.secret),
    );
  }
  for (let i = 0; i < 20; i++) {
    const ikm = randomBytes(32);
    const a = await native.hpke.deriveKeyPair(ikm);
    const b = await js.hpke.deriveKeyPair(ikm);
    assert.equal(
      toHex(await native.hpke.exportPublicKey(a.publicKey)),
      toHex(await js.hpke.exportPublicKey(b.publicKey)),
    );
    assert.equal(
      toHex(await native.hpke.exportPrivateKey(a.privateKey)),
      toHex(await js.hpke.exportPrivateKey(b.privateKey)),
    );
  }
  await assert.rejects(
    native.hpke.importPublicKey(new Uint8Array(65).fill(4)),
    'a point off the curve is refused',
  );
  await assert.rejects(native.hpke.importPrivateKey(new Uint8Array(32)), 'a zero scalar is refused');
});
