// What the session layer refuses, on an in-memory fabric: peers without the shared secret, expired
// and replayed tokens, and data whose SLIM header was changed in transit; and what the node sees
// (ciphertext only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedSecretIdentity } from '../../src/slim/auth/index.js';
import { parseName } from '../../src/slim/dataplane/name.js';
import { decodeMessage } from '../../src/slim/proto/index.js';
import type { Message } from '../../src/slim/proto/index.js';
import { MsgType, readFrame } from '../../src/slim/session/frames.js';
import { isGatewayError } from '../../src/util/errors.js';
import { FakeClock } from '../support/fake-clock.js';
import { SlimNode } from '../../src/slim/node/index.js';
import type { Session } from '../../src/slim/session/index.js';
import { MemoryFabric } from '../support/memory-fabric.js';
import { TapLink } from '../support/tap-link.js';
import { SECRET, makeApp, nextIncoming, take } from '../support/session-apps.js';

const fast = { intervalMs: 100, maxRetries: 3, setupTimeoutMs: 10_000 };

test('a peer with the wrong shared secret never gets a session, in either role', async (t) => {
  const fabric = new MemoryFabric();
  let offered = 0;
  const bob = await makeApp({
    name: 'org/ns/bob',
    link: fabric.link('bob'),
    acceptPolicy: () => (++offered, true),
  });
  const mallory = await makeApp({
    name: 'org/ns/mallory',
    link: fabric.link('mallory'),
    secret: 'another-shared-secret-that-is-long-enough!',
    acceptPolicy: () => (++offered, true),
  });
  t.after(() => Promise.all([bob.close(), mallory.close()]));
  for (const [from, to] of [
    [mallory, 'org/ns/bob'],
    [bob, 'org/ns/mallory'],
  ] as const) {
    await assert.rejects(
      from.createSession(parseName(to), { kind: 'p2p', mls: false, ...fast }),
      (e: unknown) => isGatewayError(e, 'UNAVAILABLE'),
    );
  }
  assert.equal(offered, 0, 'no join request ever passed the identity check');
});

test('an expired token is refused; a replayed join request is refused', async (t) => {
  const fabric = new MemoryFabric();
  let offered = 0;
  const bob = await makeApp({
    name: 'org/ns/bob',
    link: fabric.link('bob'),
    acceptPolicy: () => (++offered, true),
  });
  // alice's clock is two hours behind: every token she mints is expired for bob.
  const past = new FakeClock(Date.now() - 2 * 3600_000);
  const late = await makeApp({ name: 'org/ns/alice', link: fabric.link('late'), clock: past });
  t.after(() => Promise.all([bob.close(), late.close()]));
  const attempt = late.createSession(parseName('org/ns/bob'), { kind: 'p2p', mls: false, ...fast });
  void past.advance(5_000);
  await assert.rejects(attempt, (e: unknown) => isGatewayError(e, 'UNAVAILABLE'));
  assert.equal(offered, 0);

  // A good session, recorded; then its JOIN_REQUEST is replayed after the session ended.
  const alice = await makeApp({ name: 'org/ns/alice', link: fabric.link('alice') });
  t.after(() => alice.close());
  fabric.recordForwarded = true;
  const incoming = nextIncoming(bob);
  const sa = await alice.createSession(parseName('org/ns/bob'), { kind: 'p2p', mls: false });
  await incoming;
  assert.equal(offered, 1);
  await sa.close();
  const join = fabric.forwarded
    .map((b) => decodeMessage(b))
    .find((m) => readFrame(m)?.type === MsgType.JOIN_REQUEST)!;
  const rogue = fabric.link('rogue');
  await rogue.publish(join);
  await rogue.publish(join);
  // A fresh session afterwards proves the replays were processed (and refused) before it.
  const again = nextIncoming(bob);
  const s2 = await alice.createSession(parseName('org/ns/bob'), { kind: 'p2p', mls: false });
  await again;
  assert.equal(offered, 2, 'the replayed JOIN_REQUEST did not create a session');
  await s2.close();
});

for (const reliable of [false, true]) {
  test(`data whose SLIM header changed in transit is dropped (our node, MLS, reliable=${reliable})`, async (t) => {
    const node = await SlimNode.create();
    const aliceLink = new TapLink(node.connectInProcess());
    const alice = await makeApp({ name: 'org/ns/alice', link: aliceLink, mls: true });
    const bob = await makeApp({ name: 'org/ns/bob', link: node.connectInProcess(), mls: true });
    t.after(async () => {
      await Promise.all([alice.close(), bob.close()]);
      await node.close();
    });
    const incoming = nextIncoming(bob);
    const sa = await alice.createSession(parseName('org/ns/bob'), {
      kind: 'p2p',
      mls: true,
      reliable,
      intervalMs: 200,
    });
    const sb = await incoming;
    // On the way to the node, an attacker swaps the identity token of alice's message 3 (a valid
    // token of hers, so only the header-integrity check can notice), the first time it passes.
    const thief = new SharedSecretIdentity({ baseName: 'org/ns/alice', secret: SECRET });
    let tampered = 0;
    aliceLink.outbound = (m: Message) => {
      const f = readFrame(m);
      if (f?.type === MsgType.MSG && f.messageId === 3 && tampered === 0) {
        tampered++;
        f.publish.header!.identity = thief.token();
      }
      return m;
    };
    const it = sb.messages()[Symbol.asyncIterator]();
    for (let i = 1; i <= 5; i++) await sa.publish(Buffer.from(`m${i}`));
    const expected = reliable ? ['m1', 'm2', 'm3', 'm4', 'm5'] : ['m1', 'm2', 'm4', 'm5'];
    assert.deepEqual(await take(it, expected.length), expected);
    assert.equal(tampered, 1);
  });
}

test('our node only ever sees ciphertext of application data (p2p and group)', async (t) => {
  const node = await SlimNode.create();
  const links = ['alice', 'bob', 'carol'].map(() => new TapLink(node.connectInProcess()));
  const apps = await Promise.all(
    ['alice', 'bob', 'carol'].map((n, i) => makeApp({ name: `org/ns/${n}`, link: links[i]!, mls: true })),
  );
  const [alice, bob, carol] = apps as [(typeof apps)[0], (typeof apps)[0], (typeof apps)[0]];
  t.after(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await node.close();
  });
  const marker = 'PLAINTEXT-MARKER-7f3a9c';
  const incoming = nextIncoming(bob);
  const sa = await alice.createSession(parseName('org/ns/bob'), { kind: 'p2p', mls: true });
  const sb = await incoming;
  await sa.publish(Buffer.from(marker + '-a'));
  await sb.publish(Buffer.from(marker + '-b'));
  await take(sb.messages()[Symbol.asyncIterator](), 1);
  await take(sa.messages()[Symbol.asyncIterator](), 1);
  const group = await alice.createSession(parseName('org/ns/chan'), { kind: 'group', mls: true });
  const joins = [nextIncoming(bob), nextIncoming(carol)];
  await group.invite(parseName('org/ns/bob'));
  await group.invite(parseName('org/ns/carol'));
  const [gb, gc] = (await Promise.all(joins)) as [Session, Session];
  await group.publish(Buffer.from(marker + '-g'));
  await gc.publishTo(group.local, Buffer.from(marker + '-direct'));
  await take(gb.messages()[Symbol.asyncIterator](), 1);
  await take(group.messages()[Symbol.asyncIterator](), 1);
  const all = links.flatMap((l) => [...l.toNode, ...l.fromNode]);
  const data = all.filter((b) => readFrame(decodeMessage(b))?.type === MsgType.MSG);
  assert.ok(data.length >= 8, 'the frames carrying the marker went through the node');
  for (const b of all) assert.equal(Buffer.from(b).indexOf(marker), -1, 'plaintext seen by the node');
});

test('every frame leaves with a token of its own, and control frames are signed', async (t) => {
  const fabric = new MemoryFabric();
  const aliceLink = fabric.link('alice');
  aliceLink.recordSent = true;
  const alice = await makeApp({ name: 'org/ns/alice', link: aliceLink, mls: true });
  const bob = await makeApp({ name: 'org/ns/bob', link: fabric.link('bob'), mls: true });
  t.after(() => Promise.all([alice.close(), bob.close()]));
  const incoming = nextIncoming(bob);
  const sa = await alice.createSession(parseName('org/ns/bob'), { kind: 'p2p', mls: true });
  const sb = await incoming;
  for (let i = 0; i < 5; i++) await sa.publish(Buffer.from(`m${i}`));
  await take(sb.messages()[Symbol.asyncIterator](), 5);
  for (let i = 0; i < 3; i++) await sb.publish(Buffer.from(`r${i}`)); // alice sends MSG_ACKs
  await take(sa.messages()[Symbol.asyncIterator](), 3);
  const frames = aliceLink.sent.map((m) => readFrame(m)!);
  const tokens = frames.map((f) => f.identity);
  assert.ok(frames.length >= 11);
  assert.equal(new Set(tokens).size, tokens.length, 'no token is used twice');
  for (const f of frames) {
    const signed = (f.publish.header!.e2eHeaderSig?.length ?? 0) > 0;
    const control = f.command !== undefined;
    assert.equal(signed, control, `${MsgType[f.type]}: signed iff control`);
  }
});
