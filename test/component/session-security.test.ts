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
import { MemoryFabric } from '../support/memory-fabric.js';
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
  test(`data whose SLIM header changed in transit is dropped (MLS, reliable=${reliable})`, async (t) => {
    const fabric = new MemoryFabric();
    const alice = await makeApp({ name: 'org/ns/alice', link: fabric.link('alice'), mls: true });
    const bob = await makeApp({ name: 'org/ns/bob', link: fabric.link('bob'), mls: true });
    t.after(() => Promise.all([alice.close(), bob.close()]));
    const incoming = nextIncoming(bob);
    const sa = await alice.createSession(parseName('org/ns/bob'), {
      kind: 'p2p',
      mls: true,
      reliable,
      intervalMs: 200,
    });
    const sb = await incoming;
    // An on-path attacker swaps the identity token of alice's message 3 (a valid token of hers, so
    // only the header-integrity check can notice), the first time it passes.
    const thief = new SharedSecretIdentity({ baseName: 'org/ns/alice', secret: SECRET });
    let tampered = 0;
    fabric.intercept = (m: Message) => {
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

test('the node only ever sees ciphertext of application data', async (t) => {
  const fabric = new MemoryFabric();
  fabric.recordForwarded = true;
  const alice = await makeApp({ name: 'org/ns/alice', link: fabric.link('alice'), mls: true });
  const bob = await makeApp({ name: 'org/ns/bob', link: fabric.link('bob'), mls: true });
  t.after(() => Promise.all([alice.close(), bob.close()]));
  const incoming = nextIncoming(bob);
  const sa = await alice.createSession(parseName('org/ns/bob'), { kind: 'p2p', mls: true });
  const sb = await incoming;
  const marker = 'PLAINTEXT-MARKER-7f3a9c';
  await sa.publish(Buffer.from(marker + '-a'));
  await sb.publish(Buffer.from(marker + '-b'));
  await take(sb.messages()[Symbol.asyncIterator](), 1);
  await take(sa.messages()[Symbol.asyncIterator](), 1);
  const data = fabric.forwarded.filter((b) => readFrame(decodeMessage(b))?.type === MsgType.MSG);
  assert.equal(data.length, 2);
  for (const b of fabric.forwarded) assert.equal(Buffer.from(b).indexOf(marker), -1);
});
