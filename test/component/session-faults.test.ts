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
import { SlimNode } from '../../src/slim/node/index.js';
import { MemoryFabric } from '../support/memory-fabric.js';
import { TapLink } from '../support/tap-link.js';
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

test('5% of data frames dropped, reliability on: every message exactly once, in order (our node, MLS)', async (t) => {
  const node = await SlimNode.create();
  const links = [new TapLink(node.connectInProcess()), new TapLink(node.connectInProcess())];
  const alice = await makeApp({ name: 'org/ns/alice', link: links[0]!, mls: true });
  const bob = await makeApp({ name: 'org/ns/bob', link: links[1]!, mls: true });
  t.after(async () => {
    await Promise.all([alice.close(), bob.close()]);
    await node.close();
  });
  const incoming = nextIncoming(bob);
  const sa = await alice.createSession(parseName('org/ns/bob'), { kind: 'p2p', mls: true });
  const sb = await incoming;
  const rnd = prng(20261121);
  let dropped = 0;
  const lossy = (m: Message) => {
    const f = readFrame(m);
    if (f && DATA.has(f.type) && rnd() < 0.05) {
      dropped++;
      return null;
    }
    return m;
  };
  for (const l of links) l.inbound = lossy; // frames the node delivers, lost on the way in
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
  for (const l of links) l.inbound = undefined;
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

test('a group member that vanishes is reported offline; the others keep talking', async (t) => {
  const clock = new FakeClock();
  const fabric = new MemoryFabric();
  const carolLink = fabric.link('carol');
  const apps = await Promise.all([
    makeApp({ name: 'org/ns/alice', link: fabric.link('alice'), clock, mls: true }),
    makeApp({ name: 'org/ns/bob', link: fabric.link('bob'), clock, mls: true }),
    makeApp({ name: 'org/ns/carol', link: carolLink, clock, mls: true }),
  ]);
  const [alice, bob, carol] = apps;
  t.after(() => Promise.all(apps.map((a) => a.close())));
  const group = await alice.createSession(parseName('org/ns/chan'), { kind: 'group', mls: true });
  const joins = [nextIncoming(bob), nextIncoming(carol)];
  await group.invite(parseName('org/ns/bob'));
  await group.invite(parseName('org/ns/carol'));
  const [sb] = (await Promise.all(joins)) as Session[];
  const seenByAlice: string[] = [];
  const seenByBob: string[] = [];
  group.onParticipant((e) => seenByAlice.push(`${e.type}:${e.name.app}`));
  sb!.onParticipant((e) => seenByBob.push(`${e.type}:${e.name.app}`));
  await clock.advance(25_000);
  assert.deepEqual(seenByAlice, []);
  await carolLink.close();
  await clock.advance(45_000);
  assert.deepEqual(seenByAlice, ['offline:carol']);
  assert.deepEqual(seenByBob, ['offline:carol']);
  await group.publish(Buffer.from('still-here'));
  assert.deepEqual(await take(sb!.messages()[Symbol.asyncIterator](), 1), ['still-here']);
  assert.deepEqual(
    group
      .participants()
      .map((n) => n.app)
      .sort(),
    ['alice', 'bob'],
  );
});

test('an invitee that never acknowledges its welcome fails the invite and is taken out again', async (t) => {
  const fabric = new MemoryFabric();
  const apps = await Promise.all(
    ['alice', 'bob', 'mute'].map((n) => makeApp({ name: `org/ns/${n}`, link: fabric.link(n), mls: true })),
  );
  const [alice, bob] = apps as [(typeof apps)[0], (typeof apps)[0]];
  t.after(() => Promise.all(apps.map((a) => a.close())));
  const group = await alice.createSession(parseName('org/ns/chan'), {
    kind: 'group',
    mls: true,
    intervalMs: 100,
    maxRetries: 3,
  });
  const bJoin = nextIncoming(bob);
  await group.invite(parseName('org/ns/bob'));
  const sb = (await bJoin) as Session;
  const bobSaw: string[] = [];
  sb.onParticipant((e) => bobSaw.push(`${e.type}:${e.name.app}`));
  fabric.intercept = (m: Message) => {
    const f = readFrame(m);
    return f?.type === MsgType.GROUP_ACK && f.source.app === 'mute' ? null : m;
  };
  await assert.rejects(group.invite(parseName('org/ns/mute')), (e: unknown) =>
    isGatewayError(e, 'UNAVAILABLE'),
  );
  await group.publish(Buffer.from('after-failed-invite')); // runs after the removal (tasks are serial)
  assert.deepEqual(await take(sb.messages()[Symbol.asyncIterator](), 1), ['after-failed-invite']);
  assert.deepEqual(
    group
      .participants()
      .map((n) => n.app)
      .sort(),
    ['alice', 'bob'],
  );
  assert.deepEqual(bobSaw, ['joined:mute', 'left:mute']);
});

test('when the link to the node closes for good, every session ends with LINK_CLOSED', async (t) => {
  const fabric = new MemoryFabric();
  const aliceLink = fabric.link('alice');
  const alice = await makeApp({ name: 'org/ns/alice', link: aliceLink });
  const bob = await makeApp({ name: 'org/ns/bob', link: fabric.link('bob') });
  t.after(() => Promise.all([alice.close(), bob.close()]));
  const incoming = nextIncoming(bob);
  // Short retries: bob's own close (in t.after) waits for a LEAVE_REPLY that cannot come.
  const sa = await alice.createSession(parseName('org/ns/bob'), {
    kind: 'p2p',
    mls: false,
    intervalMs: 100,
    maxRetries: 2,
  });
  await incoming;
  aliceLink.onstatechange?.('closed', new Error('gone'));
  const info = await sa.closed();
  assert.equal(info.reason, 'error');
  assert.ok(isGatewayError(info.error, 'LINK_CLOSED'));
  await alice.closed();
});

test('creating a session can be cancelled; it then fails with CANCELLED', async (t) => {
  const fabric = new MemoryFabric();
  const alice = await makeApp({ name: 'org/ns/alice', link: fabric.link('alice') });
  t.after(() => alice.close());
  const ac = new AbortController();
  const attempt = alice.createSession(parseName('org/ns/nobody'), {
    kind: 'p2p',
    mls: false,
    signal: ac.signal,
  });
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(attempt, (e: unknown) => isGatewayError(e, 'CANCELLED'));
});

test('a member that missed a commit rejoins and reads the group again (MLS, fake clock)', async (t) => {
  const clock = new FakeClock();
  const node = await SlimNode.create();
  const carolLink = new TapLink(node.connectInProcess());
  const names = ['alice', 'bob', 'carol', 'dave'];
  const apps = await Promise.all(
    names.map((n) =>
      makeApp({
        name: `org/ns/${n}`,
        link: n === 'carol' ? carolLink : node.connectInProcess(),
        clock,
        mls: true,
      }),
    ),
  );
  const [alice, bob, carol, dave] = apps as [
    (typeof apps)[0],
    (typeof apps)[0],
    (typeof apps)[0],
    (typeof apps)[0],
  ];
  t.after(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await node.close();
  });
  const group = await alice.createSession(parseName('org/ns/chan'), { kind: 'group', mls: true });
  const joins = [nextIncoming(bob), nextIncoming(carol)];
  await group.invite(parseName('org/ns/bob'));
  await group.invite(parseName('org/ns/carol'));
  const [sb, sc] = (await Promise.all(joins)) as [Session, Session];
  const seen: string[] = [];
  group.onParticipant((e) => seen.push(`${e.type}:${e.name.app}`));

  // carol misses every copy of the commit that adds dave: alice gives up on her (offline).
  carolLink.inbound = (m: Message) => (readFrame(m)?.type === MsgType.GROUP_UPDATE ? null : m);
  const dJoin = nextIncoming(dave);
  const invited = group.invite(parseName('org/ns/dave'));
  await clock.advance(15_000);
  await invited;
  const sd = (await dJoin) as Session;
  carolLink.inbound = undefined;
  assert.deepEqual(seen.slice(0, 2), ['offline:carol', 'joined:dave']);

  // The next heartbeats show carol a later epoch: she asks back in and is welcomed again.
  await clock.advance(25_000);
  assert.deepEqual(seen, ['offline:carol', 'joined:dave', 'online:carol']);
  await group.publish(Buffer.from('after-rejoin'));
  for (const s of [sb, sc, sd])
    assert.deepEqual(await take(s.messages()[Symbol.asyncIterator](), 1), ['after-rejoin']);
  await sc.publish(Buffer.from('carol-is-back'));
  for (const s of [group, sb, sd]) {
    assert.deepEqual(await take(s.messages()[Symbol.asyncIterator](), 1), ['carol-is-back']);
  }
});
