// Interop of rejoin (docs/sessions-mls.md#rejoin-and-participant-state) with the reference, on our
// node: a member that missed a commit sees a later epoch in a heartbeat, sends REJOIN_REQUEST with
// a fresh KeyPackage, and the moderator takes it back with one remove+add commit. Ours rejoins a
// reference moderator's group; a reference participant rejoins ours. Fails (never skips) when the
// reference cannot load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signControl } from '../../src/slim/auth/index.js';
import { parseName, toProtoName } from '../../src/slim/dataplane/name.js';
import type { Message } from '../../src/slim/proto/index.js';
import { MsgType, readFrame } from '../../src/slim/session/frames.js';
import type { Session } from '../../src/slim/session/index.js';
import type { ReferencePeer } from '../support/reference.js';
import {
  REF_GROUP_CREATE,
  REF_GROUP_MEMBER,
  REF_INVITE,
  REF_SAY,
  REF_STOP,
  refGot,
  referenceApp,
  startNode,
} from '../support/reference-sessions.js';
import { makeApp, nextIncoming, take, withTimeout } from '../support/session-apps.js';
import { TapLink } from '../support/tap-link.js';

const LONG = 120_000;
const dropUpdates = (m: Message) => (readFrame(m)?.type === MsgType.GROUP_UPDATE ? null : m);

test("our participant misses a commit and rejoins a reference moderator's group", async (t) => {
  const node = await startNode('ours');
  const [mod, p2, p3] = (await Promise.all(['rjmod', 'rjp2', 'rjp3'].map((n) => referenceApp(node, n)))) as [
    ReferencePeer,
    ReferencePeer,
    ReferencePeer,
  ];
  const tap = new TapLink(node.link());
  const ours = await makeApp({ name: 'org/ns/rjours', link: tap, mls: true });
  t.after(async () => {
    await ours.close();
    await Promise.allSettled([mod, p2, p3].map((p) => p.stop()));
    await node.close();
  });
  const tag = 'rj';
  const m2 = p2.run(REF_GROUP_MEMBER, { tag, me: 'rjp2' }, LONG);
  const incoming = nextIncoming(ours, 60_000);
  await mod.run(REF_GROUP_CREATE, { channel: 'rjchan', tag, mls: true, me: 'rjmod' }, LONG);
  await mod.run(REF_INVITE, { tag, name: 'rjours' }, LONG);
  await mod.run(REF_INVITE, { tag, name: 'rjp2' }, LONG);
  const s: Session = await incoming;
  await m2;
  tap.inbound = dropUpdates; // we miss the commit that adds rjp3
  const m3 = p3.run(REF_GROUP_MEMBER, { tag, me: 'rjp3' }, LONG);
  await mod.run(REF_INVITE, { tag, name: 'rjp3' }, LONG); // resolves once it gives up on us
  await m3;
  tap.inbound = undefined;
  // A later heartbeat shows us the new epoch; after the rejoin we read the group again.
  const received: string[] = [];
  void (async () => {
    for await (const m of s.messages()) received.push(Buffer.from(m.payload).toString());
  })();
  const got = (async () => {
    for (let i = 0; ; i++) {
      await mod.run(REF_SAY, { tag, text: `probe-${i}` }, LONG);
      await new Promise((r) => setTimeout(r, 1000));
      if (received.some((x) => x.startsWith('probe-'))) return true;
    }
  })();
  assert.equal(await withTimeout(got, 60_000, 'a message after the rejoin'), true);
  await s.publish(Buffer.from('ours-after-rejoin'));
  await Promise.all([refGot(mod, tag, 'ours-after-rejoin'), refGot(p3, tag, 'ours-after-rejoin')]);
  for (const p of [mod, p2, p3]) await p.run(REF_STOP, { tag });
});

test('a reference participant misses a commit and rejoins our group', async (t) => {
  const node = await startNode('ours');
  const [q1, q2] = (await Promise.all(['rjq1', 'rjq2'].map((n) => referenceApp(node, n)))) as [
    ReferencePeer,
    ReferencePeer,
  ];
  const tap = new TapLink(node.link());
  const ours = await makeApp({ name: 'org/ns/rjmod2', link: tap, mls: true });
  const late = await makeApp({ name: 'org/ns/rjlate', link: node.link(), mls: true });
  t.after(async () => {
    await Promise.all([ours.close(), late.close()]);
    await Promise.allSettled([q1, q2].map((p) => p.stop()));
    await node.close();
  });
  const tag = 'rj2';
  const members = [
    q1.run(REF_GROUP_MEMBER, { tag, me: 'rjq1' }, LONG),
    q2.run(REF_GROUP_MEMBER, { tag, me: 'rjq2' }, LONG),
  ];
  const group = await ours.createSession(parseName('org/ns/rjchan2'), {
    kind: 'group',
    mls: true,
    intervalMs: 500,
    maxRetries: 4,
  });
  await group.invite(parseName('org/ns/rjq1'));
  const q2Name = await group.invite(parseName('org/ns/rjq2'));
  await Promise.all(members);
  const seen: string[] = [];
  group.onParticipant((e) => seen.push(`${e.type}:${e.name.app}`));
  // The commit adding rjlate reaches rjq2 only: our GROUP_UPDATEs to the control channel are
  // replaced, on the way to the node, by a copy addressed to rjq2 (re-signed for that header).
  tap.outbound = (m: Message) => {
    const f = readFrame(m);
    if (f?.type !== MsgType.GROUP_UPDATE) return m;
    f.publish.header!.destination = toProtoName(q2Name);
    f.publish.header!.fanout = 1;
    signControl(f.publish, ours.identity.token(), ours.identity.signingKey);
    return m;
  };
  const lateJoin = nextIncoming(late);
  await group.invite(parseName('org/ns/rjlate'));
  const sl = await lateJoin;
  tap.outbound = undefined;
  assert.deepEqual(seen, ['offline:rjq1', 'joined:rjlate']);
  // Our heartbeats show rjq1 the later epoch; it asks back in and we take it back.
  const online = new Promise<void>((resolve) => group.onParticipant((e) => e.type === 'online' && resolve()));
  await withTimeout(online, 60_000, 'rjq1 rejoining');
  await group.publish(Buffer.from('after-rejoin'));
  await Promise.all([refGot(q1, tag, 'after-rejoin'), refGot(q2, tag, 'after-rejoin')]);
  assert.deepEqual(await take(sl.messages()[Symbol.asyncIterator](), 1), ['after-rejoin']);
  await q1.run(REF_SAY, { tag, text: 'q1-is-back' }, LONG);
  assert.deepEqual(await take(group.messages()[Symbol.asyncIterator](), 1), ['q1-is-back']);
  await withTimeout(group.close(), 60_000, 'close');
  for (const q of [q1, q2]) await q.run(REF_STOP, { tag });
});
