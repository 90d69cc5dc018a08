// Point-to-point sessions between two of our apps on an in-memory fabric, MLS off: set-up,
// data both ways in order, publishTo in p2p, close from either side.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseName } from '../../src/slim/dataplane/name.js';
import { MemoryFabric } from '../support/memory-fabric.js';
import { makeApp, nextIncoming, take } from '../support/session-apps.js';

for (const reliable of [true, false]) {
  test(`p2p without MLS (reliable=${reliable}): 100 messages each way, in order`, async (t) => {
    const fabric = new MemoryFabric();
    const alice = await makeApp({ name: 'org/ns/alice', link: fabric.link('alice') });
    const bob = await makeApp({ name: 'org/ns/bob', link: fabric.link('bob') });
    t.after(() => Promise.all([alice.close(), bob.close()]));

    const incoming = nextIncoming(bob);
    const sa = await alice.createSession(parseName('org/ns/bob'), { kind: 'p2p', mls: false, reliable });
    const sb = await incoming;
    assert.equal(sa.id, sb.id);
    assert.equal(sb.isModerator, false);
    assert.equal(sa.destination.id, bob.name.id);
    assert.equal(sb.destination.id, alice.name.id);

    const ia = sa.messages()[Symbol.asyncIterator]();
    const ib = sb.messages()[Symbol.asyncIterator]();
    const sent = Array.from({ length: 100 }, (_, i) => `m${i}`);
    for (const m of sent) await sa.publish(Buffer.from(m));
    for (const m of sent) await sb.publish(Buffer.from('echo:' + m));
    assert.deepEqual(await take(ib, 100), sent);
    assert.deepEqual(
      await take(ia, 100),
      sent.map((m) => 'echo:' + m),
    );

    await sa.close();
    const info = await sb.closed();
    assert.equal(info.reason, 'remote');
    assert.equal((await sa.closed()).reason, 'local');
  });
}

test('p2p: the invitee leaving closes the initiator side', async (t) => {
  const fabric = new MemoryFabric();
  const alice = await makeApp({ name: 'org/ns/alice', link: fabric.link('alice') });
  const bob = await makeApp({ name: 'org/ns/bob', link: fabric.link('bob') });
  t.after(() => Promise.all([alice.close(), bob.close()]));
  const incoming = nextIncoming(bob);
  const sa = await alice.createSession(parseName('org/ns/bob'), { kind: 'p2p', mls: false });
  const sb = await incoming;
  const left: string[] = [];
  sa.onParticipant((e) => left.push(e.type));
  await sb.close();
  assert.equal((await sa.closed()).reason, 'remote');
  assert.deepEqual(left, ['left']);
});

test('p2p: closing works while nobody reads and the delivery queue is full', async (t) => {
  const fabric = new MemoryFabric();
  const alice = await makeApp({ name: 'org/ns/alice', link: fabric.link('alice') });
  const bob = await makeApp({ name: 'org/ns/bob', link: fabric.link('bob') });
  t.after(() => Promise.all([alice.close(), bob.close()]));
  const incoming = nextIncoming(bob);
  const sa = await alice.createSession(parseName('org/ns/bob'), { kind: 'p2p', mls: false, reliable: false });
  const sb = await incoming;
  for (let i = 0; i < 1100; i++) await sa.publish(Buffer.from(`m${i}`)); // more than bob's queue holds
  await sa.publish(Buffer.from('marker'));
  await sb.close();
  assert.equal((await sb.closed()).reason, 'local');
  assert.equal((await sa.closed()).reason, 'remote');
  const first = await take(sb.messages()[Symbol.asyncIterator](), 3);
  assert.deepEqual(first, ['m0', 'm1', 'm2'], 'what was queued stays readable');
});
