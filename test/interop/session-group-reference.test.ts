// Interop of group sessions (MLS on) with the reference, on our node and on the reference node:
// a reference moderator with our participant and a reference participant, and our moderator with
// two reference participants. Each group adds a member, removes one, and keeps delivering both
// ways; the removed member gets nothing afterwards. Fails (never skips) when the reference cannot
// load.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { baseName, parseName } from '../../src/slim/dataplane/name.js';
import type { ParticipantEvent, Session } from '../../src/slim/session/index.js';
import type { ReferencePeer } from '../support/reference.js';
import {
  REF_GROUP_CREATE,
  REF_GROUP_MEMBER,
  REF_INVITE,
  REF_CLOSE,
  REF_PARTICIPANTS,
  REF_REMOVE,
  REF_REPLY_TO_LAST,
  REF_SAY,
  REF_STOP,
  refGot,
  refTexts,
  referenceApp,
  startNode,
} from '../support/reference-sessions.js';
import type { NodeKind } from '../support/reference-sessions.js';
import { makeApp, nextIncoming, take, withTimeout } from '../support/session-apps.js';

const LONG = 120_000;

function events(s: Session): ParticipantEvent[] {
  const seen: ParticipantEvent[] = [];
  s.onParticipant((e) => seen.push(e));
  return seen;
}

for (const kind of ['ours', 'reference'] as NodeKind[]) {
  const where = kind === 'ours' ? 'our' : 'the reference';
  describe(`group sessions with the reference, on ${where} node`, () => {
    test('reference moderator, our participant and a reference participant: add, remove, deliver', async (t) => {
      const node = await startNode(kind);
      const [mod, p2, p3] = (await Promise.all(
        ['refmod', 'refp2', 'refp3'].map((n) => referenceApp(node, n)),
      )) as [ReferencePeer, ReferencePeer, ReferencePeer];
      const ours = await makeApp({ name: 'org/ns/gp1', link: node.link(), mls: true });
      t.after(async () => {
        await ours.close();
        await Promise.allSettled([mod, p2, p3].map((p) => p.stop()));
        await node.close();
      });
      const tag = 'A';
      const member2 = p2.run(REF_GROUP_MEMBER, { tag, me: 'refp2' }, LONG);
      const incoming = nextIncoming(ours, 60_000);
      await mod.run(REF_GROUP_CREATE, { channel: 'chana', tag, mls: true, me: 'refmod' }, LONG);
      await mod.run(REF_INVITE, { tag, name: 'gp1' }, LONG);
      await mod.run(REF_INVITE, { tag, name: 'refp2' }, LONG);
      const s = await incoming;
      await member2;
      assert.equal(s.kind, 'group');
      assert.equal(s.mls, true);
      const seen = events(s);
      const it = s.messages()[Symbol.asyncIterator]();

      await mod.run(REF_SAY, { tag, text: 'a-1' }, LONG);
      assert.deepEqual(await take(it, 1), ['a-1']);
      await refGot(p2, tag, 'a-1');
      await s.publish(Buffer.from('ours-1'));
      await Promise.all([refGot(mod, tag, 'ours-1'), refGot(p2, tag, 'ours-1')]);

      // Add a member (a commit our participant applies), then everyone still hears everyone.
      const member3 = p3.run(REF_GROUP_MEMBER, { tag, me: 'refp3' }, LONG);
      await mod.run(REF_INVITE, { tag, name: 'refp3' }, LONG);
      await member3;
      await mod.run(REF_SAY, { tag, text: 'a-2' }, LONG);
      assert.deepEqual(await take(it, 1), ['a-2']);
      await Promise.all([refGot(p2, tag, 'a-2'), refGot(p3, tag, 'a-2')]);
      await s.publish(Buffer.from('ours-2'));
      await Promise.all([refGot(mod, tag, 'ours-2'), refGot(p3, tag, 'ours-2')]);
      await p3.run(REF_SAY, { tag, text: 'p3-1' }, LONG);
      assert.deepEqual(await take(it, 1), ['p3-1']);

      // Remove a member (a commit with an update path), then deliver again.
      await mod.run(REF_REMOVE, { tag, name: 'refp2' }, LONG);
      await mod.run(REF_SAY, { tag, text: 'a-3' }, LONG);
      assert.deepEqual(await take(it, 1), ['a-3']);
      await refGot(p3, tag, 'a-3');
      await s.publish(Buffer.from('ours-3'));
      await Promise.all([refGot(mod, tag, 'ours-3'), refGot(p3, tag, 'ours-3')]);
      assert.deepEqual(
        seen.map((e) => `${e.type}:${baseName(e.name)}`),
        ['joined:org/ns/refp3', 'left:org/ns/refp2'],
      );
      assert.deepEqual(
        refTexts(p2, tag),
        ['a-1', 'ours-1', 'a-2', 'ours-2', 'p3-1'],
        'nothing after its removal',
      );
      assert.deepEqual(s.participants().map(baseName).sort(), [
        'org/ns/gp1',
        'org/ns/refmod',
        'org/ns/refp3',
      ]);
      // Our participant leaves: the reference moderator lets it go and the group carries on.
      await withTimeout(s.close(), 30_000, 'our participant leaving');
      assert.equal((await s.closed()).reason, 'local');
      await mod.run(REF_SAY, { tag, text: 'a-4' }, LONG);
      await refGot(p3, tag, 'a-4');
      const left = await mod.run<string[]>(REF_PARTICIPANTS, { tag }, LONG);
      assert.equal(
        left.some((x) => x.startsWith('gp1:')),
        false,
        `the moderator dropped us: ${left.join(', ')}`,
      );
      for (const p of [mod, p2, p3]) await p.run(REF_STOP, { tag });
    });

    test('our moderator with two reference participants: add, remove, deliver', async (t) => {
      const node = await startNode(kind);
      const [q1, q2, q3] = (await Promise.all(
        ['refq1', 'refq2', 'refq3'].map((n) => referenceApp(node, n)),
      )) as [ReferencePeer, ReferencePeer, ReferencePeer];
      const ours = await makeApp({ name: 'org/ns/gmod', link: node.link(), mls: true });
      t.after(async () => {
        await ours.close();
        await Promise.allSettled([q1, q2, q3].map((p) => p.stop()));
        await node.close();
      });
      const tag = 'B';
      const members = [
        q1.run(REF_GROUP_MEMBER, { tag, me: 'refq1' }, LONG),
        q2.run(REF_GROUP_MEMBER, { tag, me: 'refq2' }, LONG),
      ];
      const group = await ours.createSession(parseName('org/ns/chanb'), { kind: 'group', mls: true });
      await group.invite(parseName('org/ns/refq1'));
      const q2Name = await group.invite(parseName('org/ns/refq2'));
      await Promise.all(members);
      const it = group.messages()[Symbol.asyncIterator]();

      await group.publish(Buffer.from('b-1'));
      await Promise.all([refGot(q1, tag, 'b-1'), refGot(q2, tag, 'b-1')]);
      await q1.run(REF_SAY, { tag, text: 'q1-1' }, LONG);
      assert.deepEqual(await take(it, 1), ['q1-1']);
      await refGot(q2, tag, 'q1-1');

      const member3 = q3.run(REF_GROUP_MEMBER, { tag, me: 'refq3' }, LONG);
      const joined = await group.invite(parseName('org/ns/refq3'));
      assert.equal(baseName(joined), 'org/ns/refq3');
      await member3;
      await group.publish(Buffer.from('b-2'));
      await Promise.all([q1, q2, q3].map((q) => refGot(q, tag, 'b-2')));
      await q3.run(REF_SAY, { tag, text: 'q3-1' }, LONG);
      assert.deepEqual(await take(it, 1), ['q3-1']);
      await Promise.all([refGot(q1, tag, 'q3-1'), refGot(q2, tag, 'q3-1')]);

      // publish_to: one member only, and its direct answer back to us.
      await group.publishTo(q2Name, Buffer.from('only-q2'));
      await refGot(q2, tag, 'only-q2');
      await q2.run(REF_REPLY_TO_LAST, { tag, text: 'q2-direct' }, LONG);
      assert.deepEqual(await take(it, 1), ['q2-direct']);
      await group.publish(Buffer.from('b-2b'));
      await Promise.all([q1, q2, q3].map((q) => refGot(q, tag, 'b-2b')));
      assert.equal(refTexts(q3, tag).includes('only-q2'), false, 'publish_to reached only its target');
      assert.equal(refTexts(q1, tag).includes('only-q2'), false, 'publish_to reached only its target');

      await group.remove(parseName('org/ns/refq1'));
      await group.publish(Buffer.from('b-3'));
      await Promise.all([refGot(q2, tag, 'b-3'), refGot(q3, tag, 'b-3')]);
      await q2.run(REF_SAY, { tag, text: 'q2-1' }, LONG);
      assert.deepEqual(await take(it, 1), ['q2-1']);
      await refGot(q3, tag, 'q2-1');
      assert.deepEqual(
        refTexts(q1, tag),
        ['b-1', 'b-2', 'q3-1', 'b-2b'],
        'the removed member heard nothing afterwards',
      );
      assert.deepEqual(group.participants().map(baseName).sort(), [
        'org/ns/gmod',
        'org/ns/refq2',
        'org/ns/refq3',
      ]);
      // A reference participant leaves on its own: we answer, drop it, and carry on.
      const leftEvent = new Promise<string>((resolve) =>
        group.onParticipant((e) => e.type === 'left' && resolve(baseName(e.name))),
      );
      await q2.run(REF_CLOSE, { tag }, LONG);
      assert.equal(await withTimeout(leftEvent, 30_000, 'q2 leaving'), 'org/ns/refq2');
      await group.publish(Buffer.from('b-4'));
      await refGot(q3, tag, 'b-4');
      assert.deepEqual(group.participants().map(baseName).sort(), ['org/ns/gmod', 'org/ns/refq3']);
      await withTimeout(group.close(), 60_000, 'group close');
      for (const q of [q1, q2, q3]) await q.run(REF_STOP, { tag });
    });
  });
}
