// Interop of heartbeats and liveness with the reference (10 s period, offline after 3 silent
// periods): sessions in every role sit idle for 35 s on our node, then still carry data both ways
// and nobody was reported offline. Four sessions share the one idle window. Fails (never skips)
// when the reference cannot load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseName } from '../../src/slim/dataplane/name.js';
import type { ParticipantEvent, Session } from '../../src/slim/session/index.js';
import type { ReferencePeer } from '../support/reference.js';
import {
  REF_GROUP_CREATE,
  REF_GROUP_MEMBER,
  REF_INVITE,
  REF_P2P_ECHO,
  REF_SAY,
  REF_STOP,
  refGot,
  referenceApp,
  startNode,
} from '../support/reference-sessions.js';
import { makeApp, nextIncoming, take } from '../support/session-apps.js';

const IDLE_MS = 35_000;
const LONG = 120_000;

test('idle sessions in every role stay up across heartbeats with the reference', async (t) => {
  const node = await startNode('ours');
  const [refA, refB, refMod, refMember] = (await Promise.all(
    ['hbrefa', 'hbrefb', 'hbrefmod', 'hbrefmember'].map((n) => referenceApp(node, n)),
  )) as [ReferencePeer, ReferencePeer, ReferencePeer, ReferencePeer];
  const ours = await makeApp({ name: 'org/ns/hbours', link: node.link(), mls: true });
  t.after(async () => {
    await ours.close();
    await Promise.allSettled([refA, refB, refMod, refMember].map((p) => p.stop()));
    await node.close();
  });
  const events: string[] = [];
  const watch = (label: string, s: Session) =>
    s.onParticipant((e: ParticipantEvent) => events.push(`${label} ${e.type} ${e.name.app}`));

  // 1. ours -> reference p2p
  const echo = refB.run<string[]>(REF_P2P_ECHO, { n: 1, tag: 'hb' }, LONG);
  const p2pOut = await ours.createSession(parseName('org/ns/hbrefb'), { kind: 'p2p', mls: true });
  watch('p2p-out', p2pOut);
  // 2. reference -> ours p2p (the reference initiator waits, then speaks)
  const inP2p = nextIncoming(ours, 60_000);
  const refInitiated = refA.run<string>(
    `const target = new s.Name('org', 'ns', 'hbours');
     await objects.get('app').setRouteAsync(target, objects.get('conn'));
     const cfg = s.SessionConfig.create({ sessionType: s.SessionType.PointToPoint, metadata: new Map(),
       maxRetries: 5, interval: 1000, mlsSettings: s.MlsSettings.create({ headerIntegrityValidationPercent: 100 }) });
     const sess = await objects.get('app').createSessionAndWaitAsync(cfg, target);
     await sleep(args.idle);
     await sess.publishAsync(te.encode('late-hello').buffer, undefined, undefined);
     return td.decode((await sess.getMessageAsync(60000)).payload);`,
    { idle: IDLE_MS },
    LONG,
  );
  const p2pIn = await inP2p;
  watch('p2p-in', p2pIn);
  // 3. reference moderator, our participant
  const inGroup = nextIncoming(ours, 60_000);
  await refMod.run(REF_GROUP_CREATE, { channel: 'hbchan', tag: 'hb', mls: true, me: 'refmod' }, LONG);
  await refMod.run(REF_INVITE, { tag: 'hb', name: 'hbours' }, LONG);
  const groupIn = await inGroup;
  watch('group-in', groupIn);
  // 4. our moderator, a reference participant
  const member = refMember.run(REF_GROUP_MEMBER, { tag: 'hb', me: 'member' }, LONG);
  const groupOut = await ours.createSession(parseName('org/ns/hbchan2'), { kind: 'group', mls: true });
  watch('group-out', groupOut);
  await groupOut.invite(parseName('org/ns/hbrefmember'));
  await member;

  await new Promise((r) => setTimeout(r, IDLE_MS));

  await p2pOut.publish(Buffer.from('after-idle'));
  assert.deepEqual(await echo, ['after-idle']);
  assert.deepEqual(await take(p2pOut.messages()[Symbol.asyncIterator](), 1), ['re:after-idle']);
  assert.deepEqual(await take(p2pIn.messages()[Symbol.asyncIterator](), 1), ['late-hello']);
  await p2pIn.publish(Buffer.from('late-reply'));
  assert.equal(await refInitiated, 'late-reply');
  await refMod.run(REF_SAY, { tag: 'hb', text: 'group-after-idle' }, LONG);
  assert.deepEqual(await take(groupIn.messages()[Symbol.asyncIterator](), 1), ['group-after-idle']);
  await groupIn.publish(Buffer.from('ours-after-idle'));
  await refGot(refMod, 'hb', 'ours-after-idle');
  await groupOut.publish(Buffer.from('mod-after-idle'));
  await refGot(refMember, 'hb', 'mod-after-idle');
  assert.deepEqual(
    events.filter((e) => !e.endsWith('joined hbrefmember')),
    [],
    'nobody was reported offline or left',
  );
  for (const p of [refMod, refMember]) await p.run(REF_STOP, { tag: 'hb' });
});
