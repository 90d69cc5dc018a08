// Interop: a member removed from an MLS group is invited back at once (same group, same session
// id), with the reference on either side, on our node: our participant in a reference moderator's
// group (ours used to refuse the new JOIN_REQUEST for ~22 s after leaving the session), and a
// reference participant in ours. Fails (never skips) when the reference cannot load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseName } from '../../src/slim/dataplane/name.js';
import type { ReferencePeer } from '../support/reference.js';
import {
  REF_GROUP_CREATE,
  REF_GROUP_MEMBER,
  REF_INVITE,
  REF_REMOVE,
  REF_SAY,
  REF_STOP,
  refGot,
  referenceApp,
  startNode,
} from '../support/reference-sessions.js';
import { makeApp, nextIncoming, take, withTimeout } from '../support/session-apps.js';

const LONG = 120_000;

test("our participant, removed from a reference moderator's group, is invited back at once", async (t) => {
  const node = await startNode('ours');
  const mod = await referenceApp(node, 'rimod');
  const ours = await makeApp({ name: 'org/ns/riours', link: node.link(), mls: true });
  t.after(async () => {
    await ours.close();
    await mod.stop();
    await node.close();
  });
  const tag = 'ri';
  const first = nextIncoming(ours, 60_000);
  await mod.run(REF_GROUP_CREATE, { channel: 'richan', tag, mls: true, me: 'rimod' }, LONG);
  await mod.run(REF_INVITE, { tag, name: 'riours' }, LONG);
  const s1 = await first;
  await mod.run(REF_REMOVE, { tag, name: 'riours' }, LONG);
  assert.equal((await withTimeout(s1.closed(), 60_000, 'removal')).reason, 'remote');
  const back = nextIncoming(ours, 60_000);
  // The reference gives up on an invitee after its retries (5 x 1 s here): well within LONG.
  await mod.run(REF_INVITE, { tag, name: 'riours' }, LONG);
  const s2 = await back;
  assert.equal(s2.id, s1.id, 'the same group session');
  await mod.run(REF_SAY, { tag, text: 'welcome-back' }, LONG);
  assert.deepEqual(await take(s2.messages()[Symbol.asyncIterator](), 1), ['welcome-back']);
  await s2.publish(Buffer.from('ours-again'));
  await refGot(mod, tag, 'ours-again');
  await mod.run(REF_STOP, { tag });
});

test('a reference participant, removed from our group, is invited back at once', async (t) => {
  const node = await startNode('ours');
  const ref: ReferencePeer = await referenceApp(node, 'riref');
  const ours = await makeApp({ name: 'org/ns/rimod2', link: node.link(), mls: true });
  t.after(async () => {
    await ours.close();
    await ref.stop();
    await node.close();
  });
  const group = await ours.createSession(parseName('org/ns/richan2'), { kind: 'group' });
  const m1 = ref.run(REF_GROUP_MEMBER, { tag: 'ri1', me: 'riref' }, LONG);
  await group.invite(parseName('org/ns/riref'));
  await m1;
  await group.remove(parseName('org/ns/riref'));
  const m2 = ref.run(REF_GROUP_MEMBER, { tag: 'ri2', me: 'riref' }, LONG);
  await group.invite(parseName('org/ns/riref'), { timeoutMs: 60_000 });
  await m2;
  await group.publish(Buffer.from('welcome-back'));
  await refGot(ref, 'ri2', 'welcome-back');
  await ref.run(REF_SAY, { tag: 'ri2', text: 'ref-again' }, LONG);
  assert.deepEqual(await take(group.messages()[Symbol.asyncIterator](), 1), ['ref-again']);
  for (const tag of ['ri1', 'ri2']) await ref.run(REF_STOP, { tag });
  await withTimeout(group.close(), 60_000, 'close');
});
