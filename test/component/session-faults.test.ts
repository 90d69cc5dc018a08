// Faults on an in-memory fabric: lossy links with reliability, peers that vanish, peers that
// never answer, and a group kept alive for more than an hour (fake clock).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseName } from '../../src/slim/dataplane/name.js';
import type { Message } from '../../src/slim/proto/index.js';
import { MsgType, readFrame } from '../../src/slim/session/frames.js';
import type { ParticipantEvent, Session } from '../../src/slim/session/index.js';
import { isGatewayError } from '../../src/util/errors.js';
import { FakeClock } from '../support/fake-clock.js';
import { MemoryFabric } from '../support/memory-fabric.js';
import { makeApp, nextIncoming, take } from '../support/session-apps.js';

/** Deterministic PRNG (mulberry32) so a failure can be reproduced. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DATA = new Set([MsgType.MSG, MsgType.MSG_ACK, MsgType.RTX_REQUEST, MsgType.RTX_REPLY]);

test('5% of data frames dropped, reliability on: every message exactly once, in order (MLS)', async (t) => {
  const fabric = new MemoryFabric();
  const alice = await makeApp({ name: 'org/ns/alice', link: fabric.link('alice'), mls: true });
  const bob = await makeApp({ name: 'org/ns/bob', link: fabric.link('bob'), mls: true });
  t.after(() => Promise.all([alice.close(), bob.close()]));
  const incoming = nextIncoming(bob);
  const sa = await alice.createSession(parseName('org/ns/bob'), { kind: 'p2p', mls: true });
  const sb = await incoming;
  const rnd = prng(20261121);
  let dropped = 0;
  fabric.intercept = (m: Message) => {
    const f = readFrame(m);
    if (f && DATA.has(f.type) && rnd() < 0.05) {
      dropped++;
      return null;
    }
    return m;
  };
  const n = 200;
  const sent = Array.from({ length: n }, (_, i) => `m${i}`);
  const ia = sa.messages()[Symbol.asyncIterator]();
  const ib = sb.messages()[Symbol.asyncIterator]();
  const [gotB, gotA] = await Promise.all([
    take(ib, n, 60_000),
    take(ia, n, 60_000),
    (async () => {
      for (const m of sent) await sa.publish(Buffer.from(m));
    })(),
    (async () => {
      for (const m of sent) await sb.publish(Buffer.from('r' + m));
    })(),
  ]);
  assert.deepEqual(gotB, sent);
  assert.deepEqual(
    gotA,
    sent.map((m) => 'r' + m),
  );
  assert.ok(dropped > 0, 'the fault injector dropped frames');
  // Nothing more arrives: no duplicate was held back.
  fabric.intercept = undefined;
  await sa.publish(Buffer.from('last'));
  assert.deepEqual(await take(ib, 1), ['last']);
});

test('a p2p peer that vanishes is reported offline and the session ends with an error', async (t) => {
  const clock = new FakeClock();
  const fabric = new MemoryFabric();
  const alice = await makeApp({ name: 'org/ns/alice', link: fabric.link('alice'), clock });
  const bobLink = fabric.link('bob');
  const bob = await makeApp({ name: 'org/ns/bob', link: bobLink, clock });
  t.after(() => Promise.all([alice.close(), bob.close()]));
  const incoming = nextIncoming(bob);
  const sa = await alice.createSession(parseName('org/ns/bob'), { kind: 'p2p', mls: false });
  await incoming;
  const events: ParticipantEvent['type'][] = [];
  sa.onParticipant((e) => events.push(e.type));
  await clock.advance(25_000); // heartbeats flow: nothing happens
  assert.deepEqual(events, []);
  await bobLink.close(); // bob's process is gone: no LEAVE, no GROUP_ACK, nothing
  await clock.advance(45_000);
  const info = await sa.closed();
  assert.deepEqual(events, ['offline']);
  assert.equal(info.reason, 'error');
  assert.ok(isGatewayError(info.error, 'UNAVAILABLE'));
});

test('a session whose peer never answers fails with a typed error within its deadline', async (t) => {
  const fabric = new MemoryFabric();
  const alice = await makeApp({ name: 'org/ns/alice', link: fabric.link('alice') });
  t.after(() => alice.close());
  const started = Date.now();
  await assert.rejects(
    alice.createSession(parseName('org/ns/nobody'), { kind: 'p2p', mls: false, setupTimeoutMs: 700 }),
    (e: unknown) => isGatewayError(e, 'TIMEOUT'),
  );
  assert.ok(Date.now() - started < 60_000, 'hang guard');
});

test('a group kept alive past one hour still adds members and delivers (MLS, fake clock)', async (t) => {
  const clock = new FakeClock();
  const fabric = new MemoryFabric();
  const apps = await Promise.all(
    ['alice', 'bob', 'carol'].map((n) =>
      makeApp({ name: `org/ns/${n}`, link: fabric.link(n), clock, mls: true }),
    ),
  );
  const [alice, bob, carol] = apps as [(typeof apps)[0], (typeof apps)[0], (typeof apps)[0]];
  t.after(() => Promise.all(apps.map((a) => a.close())));
  const group = await alice.createSession(parseName('org/ns/chan'), { kind: 'group', mls: true });
  const bJoin = nextIncoming(bob);
  await group.invite(parseName('org/ns/bob'));
  const sb = (await bJoin) as Session;
  const ib = sb.messages()[Symbol.asyncIterator]();
  const offline: string[] = [];
  group.onParticipant((e) => e.type === 'offline' && offline.push(e.type));
  await clock.advance(65 * 60_000, 1000); // heartbeats keep everyone online
  assert.deepEqual(offline, []);
  const cJoin = nextIncoming(carol);
  const invited = group.invite(parseName('org/ns/carol'));
  const sc = (await cJoin) as Session;
  await invited;
  await group.publish(Buffer.from('after-an-hour'));
  assert.deepEqual(await take(ib, 1), ['after-an-hour']);
  assert.deepEqual(await take(sc.messages()[Symbol.asyncIterator](), 1), ['after-an-hour']);
  await sb.publish(Buffer.from('bob-after-an-hour'));
  assert.deepEqual(await take(sc.messages()[Symbol.asyncIterator](), 1), ['bob-after-an-hour']);
});
