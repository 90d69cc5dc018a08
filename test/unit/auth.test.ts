// Unit: our own identities mint tokens and signatures the verifier accepts, and reject the ones a
// peer with the wrong secret, a tampered header, or a stale clock would produce.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create } from '@bufbuild/protobuf';
import {
  SharedSecretIdentity,
  generateSigningKey,
  signControl,
  signingKeyFromScalar,
  verifyControl,
  verifySignature,
} from '../../src/slim/auth/index.js';
import { PublishSchema, SessionMessageType, SessionType } from '../../src/slim/proto/index.js';
import { makeName, parseName, toProtoName } from '../../src/slim/dataplane/name.js';

const SECRET = 'a-very-long-shared-secret-0123456789abcdef';

function discovery(identity: string) {
  return create(PublishSchema, {
    header: {
      source: toProtoName(makeName('acme', 'demo', 'a', 42n)),
      destination: toProtoName(parseName('acme/demo/b')),
      identity,
      fanout: 1,
      ttl: 8,
      version: '2.2.0',
    },
    session: {
      sessionType: SessionType.POINT_TO_POINT,
      sessionMessageType: SessionMessageType.DISCOVERY_REQUEST,
      sessionId: 7,
      messageId: 99,
    },
    msg: {
      contentType: {
        case: 'commandPayload',
        value: { commandPayloadType: { case: 'discoveryRequest', value: {} } },
      },
    },
  });
}

test('tokens: minted, verified, refused with another secret or outside the window', () => {
  let now = 1_800_000_000_000;
  const alice = new SharedSecretIdentity({ baseName: 'acme/demo/a', secret: SECRET, clock: () => now });
  assert.match(alice.tokenId, /^acme\/demo\/a_[A-Za-z0-9]{8}$/);
  const token = alice.token();
  assert.notEqual(token, alice.token(), 'a fresh nonce every time');
  assert.equal(alice.verify(token).sub, alice.tokenId);
  const mallory = new SharedSecretIdentity({
    baseName: 'acme/demo/m',
    secret: SECRET + 'x',
    clock: () => now,
  });
  assert.throws(() => mallory.verify(token), /mismatch/);
  now += 3601_000;
  assert.throws(() => alice.verify(token), /expired/);
  assert.throws(() => new SharedSecretIdentity({ baseName: 'a/b/c', secret: 'short' }), /at least 32/);
});

test('control signatures: verify, and fail when the header changes or the key differs', () => {
  const alice = new SharedSecretIdentity({ baseName: 'acme/demo/a', secret: SECRET });
  const msg = discovery('');
  signControl(msg, alice.token(), alice.signingKey);
  assert.equal(verifyControl(msg, alice).sub, alice.tokenId);
  msg.session!.messageId = 100;
  assert.throws(() => verifyControl(msg, alice), /does not verify/);
  const unsigned = discovery(alice.token());
  assert.throws(() => verifyControl(unsigned, alice), /without signature/);
});

test('signing keys: uncompressed 65-byte public keys; rebuild from the scalar', () => {
  const key = generateSigningKey();
  assert.equal(key.publicKey.length, 65);
  assert.equal(key.publicKey[0], 4);
  const again = signingKeyFromScalar(key.privateScalar);
  assert.deepEqual(again.publicKey, key.publicKey);
  const data = new TextEncoder().encode('hello');
  assert.ok(verifySignature(key.publicKey, data, again.sign(data)));
  assert.ok(!verifySignature(key.publicKey, new TextEncoder().encode('hellO'), key.sign(data)));
});
