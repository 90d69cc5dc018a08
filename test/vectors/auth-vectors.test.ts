// Vectors: every identity token in the captures verifies with the capture's shared secret (at the
// time it was minted), and every control-message signature verifies over the HeaderIntegrityAad
// bytes we rebuild, which must therefore be byte-identical to the reference's. Plus the kat.json
// token and AAD known answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAad, verifyControl, verifyToken } from '../../src/slim/auth/index.js';
import type { IdentityVerifier } from '../../src/slim/auth/index.js';
import { decodeMessage } from '../../src/slim/proto/index.js';
import { loadAllFrames, loadKat } from '../support/vectors.js';

const SECRET = 'a-very-long-shared-secret-0123456789abcdef';

/** A verifier whose clock stands at the token's own timestamp (the captures are old). */
const atTokenTime: IdentityVerifier = {
  verify: (token) => verifyToken(token, SECRET, Number(token.split(':')[1])),
};

test('kat: the identity token and its HMAC', () => {
  const kat = loadKat()['identity_token'] as { token: string; fields: { id: string; unix_ts: string } };
  const claims = verifyToken(kat.token, SECRET, Number(kat.fields.unix_ts) + 10);
  assert.equal(claims.sub, kat.fields.id);
  assert.ok(claims.pubkey?.startsWith('BH'), 'uncompressed P-256 key in the claims');
  assert.throws(
    () => verifyToken(kat.token, SECRET.replace('a', 'b'), Number(kat.fields.unix_ts)),
    /mismatch/,
  );
  assert.throws(() => verifyToken(kat.token, SECRET, Number(kat.fields.unix_ts) + 3601), /expired/);
  assert.throws(() => verifyToken(kat.token, SECRET, Number(kat.fields.unix_ts) - 6), /future/);
});

test('kat: HeaderIntegrityAad bytes of a captured DISCOVERY_REQUEST', () => {
  const kat = loadKat()['e2e_header_sig'] as { aad_hex: string; signature_der_hex: string };
  const frames = loadAllFrames().filter((f) => f.file === 'p2p-alice-bob.jsonl');
  const match = frames
    .map((f) => decodeMessage(f.bytes))
    .find((m) => {
      const sig = m.messageType.case === 'publish' ? m.messageType.value.header?.e2eHeaderSig : undefined;
      return sig && Buffer.from(sig).toString('hex') === kat.signature_der_hex;
    });
  assert.ok(match && match.messageType.case === 'publish', 'the kat frame is in the capture');
  assert.equal(Buffer.from(buildAad(match.messageType.value)).toString('hex'), kat.aad_hex);
});

test('every captured token verifies and every control signature verifies over our AAD', () => {
  let tokens = 0;
  let signatures = 0;
  const seen = new Set<string>();
  for (const frame of loadAllFrames()) {
    const msg = decodeMessage(frame.bytes);
    if (msg.messageType.case !== 'publish') continue;
    const publish = msg.messageType.value;
    const header = publish.header!;
    // Frames appear once per direction in the captures; check each distinct frame once.
    const key = Buffer.from(frame.bytes).toString('base64');
    if (seen.has(key)) continue;
    seen.add(key);
    if (header.identity && header.identity.split(':').length === 5) {
      atTokenTime.verify(header.identity);
      tokens++;
    }
    if (header.e2eHeaderSig && header.e2eHeaderSig.length > 0) {
      assert.equal(publish.msg?.contentType.case, 'commandPayload', 'only control messages are signed');
      verifyControl(publish, atTokenTime);
      signatures++;
    }
  }
  assert.ok(tokens >= 240, `tokens checked: ${tokens}`);
  assert.ok(signatures >= 82, `signatures checked: ${signatures}`);
});
