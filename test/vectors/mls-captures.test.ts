// Vectors: every MLS artifact in the captured SLIM traffic (mostly produced by the reference's
// mls-rs; some by the ts-mls harness that stood in for one side) decodes with our MLS layer as the
// wire format SLIM puts there (docs/sessions-mls.md#mls-framing); every
// MLS PrivateMessage carries as authenticated data exactly buildAad() of the frame that carried
// it; every KeyPackage credential verifies with the capture's secret at its own timestamp, with a
// public-key claim equal to the leaf key, and both KeyPackage signatures verify.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAad, verifyToken } from '../../src/slim/auth/index.js';
import type { IdentityVerifier } from '../../src/slim/auth/index.js';
import { checkKeyPackage, inspectMlsMessage } from '../../src/slim/mls/index.js';
import type { MlsMessageInfo } from '../../src/slim/mls/index.js';
import { GroupUpdateOp, SessionMessageType } from '../../src/slim/proto/index.js';
import type { Publish } from '../../src/slim/proto/index.js';
import { loadCapturedPublishes } from '../support/mls-captures.js';
import type { CapturedPublish } from '../support/mls-captures.js';

const SECRET = 'a-very-long-shared-secret-0123456789abcdef';
const P256 = 'MLS_128_DHKEMP256_AES128GCM_SHA256_P256';

/** The captures are old: check each token as of the second it was minted. */
const atTokenTime: IdentityVerifier = {
  verify: (token, at) => verifyToken(token, SECRET, at ?? Number(token.split(':')[1])),
};

type Kind = 'key_package' | 'welcome' | 'commit' | 'app';
interface Artifact {
  kind: Kind;
  op?: GroupUpdateOp;
  bytes: Uint8Array;
  from: CapturedPublish;
}

const captures = loadCapturedPublishes();

/** Sessions that negotiated MLS (the JOIN_REQUEST carried mls_settings), per capture file. */
const mlsSessions = new Set(
  captures
    .filter(({ publish }) => {
      const c = publish.msg?.contentType;
      return c?.case === 'commandPayload' && c.value.commandPayloadType.case === 'joinRequest'
        ? c.value.commandPayloadType.value.mlsSettings !== undefined
        : false;
    })
    .map(({ file, publish }) => `${file}:${publish.session?.sessionId}`),
);

function artifactsOf(cap: CapturedPublish): Artifact[] {
  const p: Publish = cap.publish;
  const c = p.msg?.contentType;
  const out: Artifact[] = [];
  if (c?.case === 'commandPayload') {
    const k = c.value.commandPayloadType;
    if (k.case === 'joinReply' && k.value.keyPackage?.length)
      out.push({ kind: 'key_package', bytes: k.value.keyPackage, from: cap });
    if (k.case === 'rejoinRequest' && k.value.keyPackage.length)
      out.push({ kind: 'key_package', bytes: k.value.keyPackage, from: cap });
    if (k.case === 'groupWelcome' && k.value.mls)
      out.push({ kind: 'welcome', bytes: k.value.mls.mlsContent, from: cap });
    if (k.case === 'rejoinReply' && k.value.mlsContent.length)
      out.push({ kind: 'welcome', bytes: k.value.mlsContent, from: cap });
    if (k.case === 'groupUpdate' && k.value.mls)
      out.push({ kind: 'commit', op: k.value.op, bytes: k.value.mls.mlsContent, from: cap });
  }
  const dataTypes = [SessionMessageType.MSG, SessionMessageType.RTX_REPLY];
  if (
    c?.case === 'appPayload' &&
    c.value.blob.length > 0 &&
    dataTypes.includes(p.session?.sessionMessageType ?? 0) &&
    mlsSessions.has(`${cap.file}:${p.session?.sessionId}`)
  ) {
    out.push({ kind: 'app', bytes: c.value.blob, from: cap });
  }
  return out;
}

const artifacts = captures.flatMap(artifactsOf);
const where = (a: Artifact) => `${a.from.file} line ${a.from.line + 1} (${a.from.dir})`;
const count = (kind: Kind) => artifacts.filter((a) => a.kind === kind).length;

test('the captures hold every kind of MLS artifact, from p2p and group sessions', () => {
  assert.ok(mlsSessions.size >= 6, `MLS sessions: ${mlsSessions.size}`);
  assert.ok(count('key_package') >= 23, `KeyPackages: ${count('key_package')}`);
  assert.ok(count('welcome') >= 16, `Welcomes: ${count('welcome')}`);
  assert.ok(count('commit') >= 10, `commits: ${count('commit')}`);
  assert.ok(count('app') >= 64, `PrivateMessages: ${count('app')}`);
  assert.ok(
    artifacts.some((a) => a.from.fromJson),
    'records rebuilt from the harness JSON are included',
  );
});

test('every captured MLS artifact decodes as the wire format SLIM puts there', () => {
  const seen = { addNoPath: 0, removeWithPath: 0, privateCommits: 0 };
  for (const a of artifacts) {
    let info: MlsMessageInfo;
    try {
      info = inspectMlsMessage(a.bytes);
    } catch (err) {
      assert.fail(`${where(a)}: ${a.kind} does not decode: ${String(err)}`);
    }
    switch (a.kind) {
      case 'key_package':
        assert.equal(info.kind, 'key_package', where(a));
        assert.equal(info.cipherSuite, P256, where(a));
        assert.equal(info.signatureKeyLength, 65, `${where(a)}: uncompressed P-256 signature key`);
        break;
      case 'welcome':
        assert.equal(info.kind, 'welcome', where(a));
        assert.equal(info.cipherSuite, P256, where(a));
        assert.equal(info.newMembers, 1, `${where(a)}: one Welcome per added member`);
        break;
      case 'commit':
        assert.equal(info.contentType, 'commit', where(a));
        if (info.kind === 'private_message') {
          seen.privateCommits++;
          break;
        }
        assert.equal(info.kind, 'public_message', where(a));
        assert.equal(info.authenticatedData?.length, 0, `${where(a)}: commits carry no authenticated data`);
        if (a.op === GroupUpdateOp.ADD) {
          assert.deepEqual(info.proposals, ['add'], where(a));
          assert.equal(info.hasPath, false, `${where(a)}: add commits have no UpdatePath`);
          seen.addNoPath++;
        } else if (a.op === GroupUpdateOp.REMOVE) {
          assert.deepEqual(info.proposals, ['remove'], where(a));
          assert.equal(info.hasPath, true, `${where(a)}: remove commits have an UpdatePath`);
          seen.removeWithPath++;
        }
        break;
      case 'app':
        assert.equal(info.kind, 'private_message', where(a));
        assert.equal(info.contentType, 'application', where(a));
        break;
    }
  }
  assert.ok(seen.addNoPath >= 5 && seen.removeWithPath >= 5, JSON.stringify(seen));
  assert.ok(seen.privateCommits >= 1, 'the capture with commits sent as PrivateMessage is covered');
});

test('every captured PrivateMessage authenticates exactly buildAad() of the frame that carried it', () => {
  let checked = 0;
  for (const a of artifacts.filter((x) => x.kind === 'app')) {
    const aad = inspectMlsMessage(a.bytes).authenticatedData;
    assert.ok(aad, where(a));
    assert.equal(
      Buffer.from(aad).toString('hex'),
      Buffer.from(buildAad(a.from.publish)).toString('hex'),
      `${where(a)}: AAD mismatch`,
    );
    checked++;
  }
  assert.ok(checked >= 64, `checked ${checked}`);
});

test('every captured KeyPackage: credential verifies at its own time, claim = leaf key, signatures verify', async () => {
  const identities = new Set<string>();
  for (const a of artifacts.filter((x) => x.kind === 'key_package')) {
    const claims = await checkKeyPackage(a.bytes, atTokenTime).catch((err: unknown) =>
      assert.fail(`${where(a)}: ${String(err)}`),
    );
    assert.match(claims.sub, /^org\/ns\/[a-z0-9]+_[A-Za-z0-9]+$/, where(a));
    identities.add(claims.sub);
  }
  assert.ok(identities.size >= 10, `distinct identities: ${identities.size}`);
});

test('the same KeyPackage checks refuse a wrong secret, an hour-old token and a future token', async () => {
  const kp = artifacts.find((a) => a.kind === 'key_package')!;
  const minted = (await checkKeyPackage(kp.bytes, atTokenTime)).iat;
  const wrongSecret: IdentityVerifier = {
    verify: (token, at) => verifyToken(token, SECRET.replace('a', 'b'), at ?? minted),
  };
  const later: IdentityVerifier = { verify: (token) => verifyToken(token, SECRET, minted + 3601) };
  const earlier: IdentityVerifier = { verify: (token) => verifyToken(token, SECRET, minted - 6) };
  await assert.rejects(checkKeyPackage(kp.bytes, wrongSecret), { code: 'AUTH', message: /mismatch/ });
  await assert.rejects(checkKeyPackage(kp.bytes, later), { code: 'AUTH', message: /expired/ });
  await assert.rejects(checkKeyPackage(kp.bytes, earlier), { code: 'AUTH', message: /future/ });
});
