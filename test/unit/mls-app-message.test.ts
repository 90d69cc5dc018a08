// The synchronous application-message path (src/slim/mls/app-message.ts) against ts-mls itself,
// on ts-mls group states with our native suite: what it encrypts ts-mls decrypts, what ts-mls
// encrypts it decrypts, and the next group states are exactly ts-mls's. What it does not handle
// (an out-of-order generation, another epoch, tampered bytes) it declines without touching state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  createApplicationMessage,
  createCommit,
  createGroup,
  decodeMlsMessage,
  defaultCapabilities,
  defaultLifetime,
  emptyPskIndex,
  encodeMlsMessage,
  generateKeyPackage,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  joinGroup,
  processMessage,
} from 'ts-mls';
import type { ClientState, MlsMessageProtocol, MlsPrivateMessage } from 'ts-mls';
import { protectApplication, unprotectApplication } from '../../src/slim/mls/app-message.js';
import { nativeCryptoProvider } from '../../src/slim/mls/crypto/index.js';

const suite = getCiphersuiteFromName('MLS_128_DHKEMP256_AES128GCM_SHA256_P256');

async function twoMembers() {
  const cs = await getCiphersuiteImpl(suite, nativeCryptoProvider);
  const cred = (name: string) => ({
    credentialType: 'basic' as const,
    identity: new TextEncoder().encode(name),
  });
  const alice = await generateKeyPackage(cred('alice'), defaultCapabilities(), defaultLifetime, [], cs);
  const bob = await generateKeyPackage(cred('bob'), defaultCapabilities(), defaultLifetime, [], cs);
  const a0 = await createGroup(randomBytes(32), alice.publicPackage, alice.privatePackage, [], cs);
  const commit = await createCommit(
    { state: a0, cipherSuite: cs },
    {
      extraProposals: [{ proposalType: 'add', add: { keyPackage: bob.publicPackage } }],
      ratchetTreeExtension: true,
    },
  );
  const b = await joinGroup(commit.welcome!, bob.publicPackage, bob.privatePackage, emptyPskIndex, cs);
  return { cs, a: commit.newState, b };
}

function decode(bytes: Uint8Array): MlsMessageProtocol & MlsPrivateMessage {
  const d = decodeMlsMessage(bytes, 0);
  assert.ok(d && d[1] === bytes.length && d[0].wireformat === 'mls_private_message');
  return d[0] as MlsMessageProtocol & MlsPrivateMessage;
}

const secretTrees = (s: ClientState) => s.secretTree;

test('what the fast path encrypts, ts-mls decrypts; the sender state is the one ts-mls would make', async () => {
  const { cs, a, b } = await twoMembers();
  const pt = randomBytes(1024);
  const aad = randomBytes(400);
  const fast = protectApplication(a, pt, aad);
  assert.ok(fast);
  const viaTsMls = await createApplicationMessage(a, pt, cs, aad);
  assert.deepStrictEqual(secretTrees(fast.next), secretTrees(viaTsMls.newState));
  // Padded alike: a short message fills 256 bytes whatever the signature's DER length.
  const short = protectApplication(a, pt.subarray(0, 20), aad)!;
  const shortRef = await createApplicationMessage(a, pt.subarray(0, 20), cs, aad);
  assert.equal(
    short.bytes.length,
    encodeMlsMessage({
      version: 'mls10',
      wireformat: 'mls_private_message',
      privateMessage: shortRef.privateMessage,
    }).length,
  );
  const r = await processMessage(decode(fast.bytes), b, emptyPskIndex, () => 'reject', cs);
  assert.equal(r.kind, 'applicationMessage');
  assert.deepStrictEqual(Buffer.from(r.kind === 'applicationMessage' ? r.message : []), Buffer.from(pt));
});

/**
 * Fills the rest of Node's current buffer pool with 0xff, after making sure at least `room` bytes
 * are left in it: the next small Buffer.allocUnsafe slices come from dirty memory.
 */
function dirtyPool(room: number): void {
  let probe = Buffer.allocUnsafe(1);
  const left = (b: Buffer) => b.buffer.byteLength - (b.byteOffset + b.length);
  if (left(probe) < room) {
    Buffer.allocUnsafe(left(probe)); // use the pool up: the next slice starts a new one
    probe = Buffer.allocUnsafe(1);
  }
  assert.ok(left(probe) >= room, 'a fresh pool has room');
  new Uint8Array(probe.buffer).fill(0xff, probe.byteOffset + probe.length);
}

test("the seal's buffers come from pooled, uncleared memory: the padding is still all zeros", async () => {
  const { cs, a, b } = await twoMembers();
  dirtyPool(Buffer.poolSize / 2);
  // A short message: padded up to 256 bytes, every padding byte must be zero (RFC 9420 §6.3.1).
  const fast = protectApplication(a, new Uint8Array([1, 2, 3]), new Uint8Array())!;
  const r = await processMessage(decode(fast.bytes), b, emptyPskIndex, () => 'reject', cs);
  assert.equal(r.kind, 'applicationMessage'); // ts-mls refuses non-zero padding
  assert.deepStrictEqual([...unprotectApplication(b, fast.bytes)!.plaintext], [1, 2, 3]);
});

test('what ts-mls encrypts, the fast path decrypts; the receiver state is the one ts-mls would make', async () => {
  const { cs, a, b } = await twoMembers();
  let sender = a;
  let receiver = b;
  for (let i = 0; i < 5; i++) {
    const pt = randomBytes(10 + i * 300);
    const aad = randomBytes(i * 50);
    const m = await createApplicationMessage(sender, pt, cs, aad);
    sender = m.newState;
    const bytes = encodeMlsMessage({
      version: 'mls10',
      wireformat: 'mls_private_message',
      privateMessage: m.privateMessage,
    });
    const fast = unprotectApplication(receiver, bytes);
    assert.ok(fast, `message ${i}`);
    assert.deepStrictEqual(Buffer.from(fast.plaintext), Buffer.from(pt));
    assert.deepStrictEqual(Buffer.from(fast.authenticatedData), Buffer.from(aad));
    assert.equal(fast.senderLeaf, 0);
    const ref = await processMessage(decode(bytes), receiver, emptyPskIndex, () => 'reject', cs);
    assert.deepStrictEqual(secretTrees(fast.next), secretTrees(ref.newState));
    receiver = fast.next;
  }
  // Both directions, fast on both ends.
  const back = protectApplication(receiver, new Uint8Array([1, 2, 3]), new Uint8Array());
  assert.ok(back);
  assert.deepStrictEqual([...unprotectApplication(sender, back.bytes)!.plaintext], [1, 2, 3]);
});

test('declined without side effects: out of order, replayed, tampered, another epoch', async () => {
  const { cs, a, b } = await twoMembers();
  const m1 = protectApplication(a, new Uint8Array([1]), new Uint8Array())!;
  const m2 = protectApplication(m1.next, new Uint8Array([2]), new Uint8Array())!;
  const before = structuredClone(secretTrees(b));
  assert.equal(
    unprotectApplication(b, m2.bytes),
    undefined,
    'generation ahead: ts-mls keeps the skipped key',
  );
  const tampered = new Uint8Array(m1.bytes);
  tampered[tampered.length - 5]! ^= 1;
  assert.equal(unprotectApplication(b, tampered), undefined);
  assert.equal(unprotectApplication(b, m1.bytes.subarray(0, 20)), undefined);
  assert.deepStrictEqual(secretTrees(b), before);
  const ok = unprotectApplication(b, m1.bytes)!;
  assert.equal(
    unprotectApplication(ok.next, m1.bytes),
    undefined,
    'a replay is left to ts-mls (which refuses it)',
  );
  await assert.rejects(processMessage(decode(m1.bytes), ok.next, emptyPskIndex, () => 'reject', cs));
  // ts-mls handles what the fast path declines: the skipped generation, then the later one.
  const later = await processMessage(decode(m2.bytes), ok.next, emptyPskIndex, () => 'reject', cs);
  assert.equal(later.kind, 'applicationMessage');
  // A message from another epoch.
  const c = await createCommit({ state: a, cipherSuite: cs }, {});
  const inNewEpoch = protectApplication(c.newState, new Uint8Array([9]), new Uint8Array())!;
  assert.equal(unprotectApplication(b, inNewEpoch.bytes), undefined);
});
