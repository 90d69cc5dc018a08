// Unit: link negotiation checks (docs/dataplane.md#link-negotiation) and reconnect backoff, as pure
// functions: what a node accepts from a client, what a client accepts from a node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinkConnectionType } from '../../src/slim/proto/index.js';
import {
  checkNegotiationReply,
  checkNegotiationRequest,
  isSemver,
  negotiationReply,
  negotiationRequest,
} from '../../src/slim/dataplane/negotiation.js';
import type { NegotiationParams } from '../../src/slim/dataplane/negotiation.js';
import { backoffDelay } from '../../src/slim/dataplane/backoff.js';
import { newMessage } from '../../src/slim/proto/index.js';

const key = new Uint8Array(32).fill(9);
const req = (p: Partial<NegotiationParams> = {}) =>
  negotiationRequest({
    linkId: 'L1',
    version: '2.2.0',
    nodeId: 'n',
    connectionType: LinkConnectionType.EDGE,
    publicKey: key,
    ...p,
  });

test('a node accepts an EDGE or REMOTE request with a semver version, with or without a key', () => {
  const ok = checkNegotiationRequest(req(), false);
  assert.ok(ok.ok && ok.value.linkId === 'L1' && ok.value.publicKey?.length === 32);
  assert.ok(
    checkNegotiationRequest(req({ connectionType: LinkConnectionType.REMOTE, version: '0.1.0' }), false).ok,
  );
  const noKey = checkNegotiationRequest(req({ publicKey: new Uint8Array(0) }), false);
  assert.ok(noKey.ok && noKey.value.publicKey === undefined);
});

test('a node refuses, saying why', () => {
  const why = (m: ReturnType<typeof req>, requireKey = false) => {
    const r = checkNegotiationRequest(m, requireKey);
    return r.ok ? 'accepted' : r.reason;
  };
  assert.match(why(req({ version: 'not-semver' })), /not semver/);
  assert.match(why(req({ linkId: '' })), /empty link id/);
  assert.match(why(req({ publicKey: new Uint8Array(16) })), /16 bytes/);
  assert.match(why(req({ connectionType: LinkConnectionType.PEER })), /peer links/);
  assert.match(why(req({ publicKey: new Uint8Array(0) }), true), /no X25519 key/);
  assert.match(
    why(negotiationReply({ linkId: 'L1', version: '2.2.0', nodeId: 'n', connectionType: 2 })),
    /is_reply=true/,
  );
  assert.match(
    why(newMessage({ messageType: { case: 'subscriptionAck', value: {} } })),
    /not a link negotiation/,
  );
  const kem = req();
  if (kem.messageType.case === 'link' && kem.messageType.value.linkType.case === 'linkNegotiation') {
    kem.messageType.value.linkType.value.linkKemPayload = new Uint8Array(1184);
  }
  assert.match(why(kem), /ML-KEM/);
});

test('a client accepts only a reply to its own link id, with a key when it requires one', () => {
  const reply = (p: Partial<NegotiationParams> = {}) =>
    negotiationReply({
      linkId: 'L1',
      version: '2.2.0',
      nodeId: 'node',
      connectionType: 2,
      publicKey: key,
      ...p,
    });
  assert.ok(checkNegotiationReply(reply(), 'L1', true).ok);
  assert.equal(checkNegotiationReply(reply(), 'L2', false).ok, false);
  assert.equal(checkNegotiationReply(reply({ publicKey: new Uint8Array(0) }), 'L1', true).ok, false);
  assert.ok(checkNegotiationReply(reply({ publicKey: new Uint8Array(0) }), 'L1', false).ok);
  assert.equal(checkNegotiationReply(req(), 'L1', false).ok, false, 'a request is not a reply');
});

test('semver as the reference parses it', () => {
  for (const v of ['2.2.0', '0.1.0', '2.0.0-alpha.8', '1.0.0+build.5', '1.2.3-rc.1+x'])
    assert.ok(isSemver(v), v);
  for (const v of ['2.2', 'v2.2.0', '02.1.0', '1.0.0-', '', 'not-semver'])
    assert.equal(isSemver(v), false, v);
});

test('backoff grows exponentially with jitter and is capped', () => {
  const policy = { initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2 };
  assert.equal(
    backoffDelay(0, policy, () => 0),
    50,
  );
  assert.equal(
    backoffDelay(0, policy, () => 1),
    100,
  );
  assert.equal(
    backoffDelay(3, policy, () => 1),
    800,
  );
  assert.equal(
    backoffDelay(10, policy, () => 1),
    1000,
  );
  assert.equal(
    backoffDelay(10, policy, () => 0),
    500,
  );
});
