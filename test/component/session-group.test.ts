// Group sessions between our apps on an in-memory fabric, MLS off: invite, data from every
// member to every other, a late joiner, a removal, the moderator closing the group.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseName, formatName, parseName } from '../../src/slim/dataplane/name.js';
import type { Session } from '../../src/slim/session/index.js';
import { MemoryFabric } from '../support/memory-fabric.js';
import { makeApp, nextIncoming, take } from '../support/session-apps.js';

test('group without MLS: invite, publish, add, remove, close', async (t) => {
  const fabric = new MemoryFabric();
  const names = ['alice', 'bob', 'carol', 'dave'];
  const [alice, bob, carol, dave] = await Promise.all(
    names.map((n) => makeApp({ name: `org/ns/${n}`, link: fabric.link(n) })),
  );
  t.after(() => Promise.all([alice!, bob!, carol!, dave!].map((a) => a.close())));

  const group = await alice!.createSession(parseName('org/ns/chan'), { kind: 'group', mls: false });
  const joins = [nextIncoming(bob!), nextIncoming(carol!)];
  await group.invite(parseName('org/ns/bob'));
  await group.invite(parseName('org/ns/carol'));
  const [sb, sc] = (await Promise.all(joins)) as [Session, Session];
  assert.deepEqual(group.participants().map(baseName).sort(), ['org/ns/alice', 'org/ns/bob', 'org/ns/carol']);
  assert.equal(formatName(sb.destination), 'org/ns/chan', 'the channel name, as the moderator named it');
  assert.equal(formatName(group.destination), 'org/ns/chan');
  const ib = sb.messages()[Symbol.asyncIterator]();
  const ic = sc.messages()[Symbol.asyncIterator]();
  const ia = group.messages()[Symbol.asyncIterator]();

  await group.publish(Buffer.from('hello-1'));
  assert.deepEqual(await take(ib, 1), ['hello-1']);
  assert.deepEqual(await take(ic, 1), ['hello-1']);
  await sb.publish(Buffer.from('from-bob'));
  assert.deepEqual(await take(ia, 1), ['from-bob']);
  assert.deepEqual(await take(ic, 1), ['from-bob']);

  const dJoin = nextIncoming(dave!);
  await group.invite(parseName('org/ns/dave'));
  const sd = await dJoin;
  const id = sd.messages()[Symbol.asyncIterator]();
  await sc.publish(Buffer.from('from-carol'));
  for (const it of [ia, ib, id]) assert.deepEqual(await take(it, 1), ['from-carol']);

  // publish_to reaches one member; its direct answer reaches only us.
  await group.publishTo(sb.local, Buffer.from('only-bob'));
  assert.deepEqual(await take(ib, 1), ['only-bob']);
  await sb.publishTo(group.local, Buffer.from('bob-direct'));
  assert.deepEqual(await take(ia, 1), ['bob-direct']);
  await group.publish(Buffer.from('to-all'));
  for (const it of [ib, ic, id]) assert.deepEqual(await take(it, 1), ['to-all'], 'nothing direct came first');
  await assert.rejects(group.publishTo(parseName('org/ns/nobody'), Buffer.from('x')), /not a member/);

  await group.remove(parseName('org/ns/carol'));
  assert.equal((await sc.closed()).reason, 'remote');
  await group.publish(Buffer.from('after-remove'));
  for (const it of [ib, id]) assert.deepEqual(await take(it, 1), ['after-remove']);
  assert.deepEqual(sb.participants().map(baseName).sort(), ['org/ns/alice', 'org/ns/bob', 'org/ns/dave']);

  await group.close();
  for (const s of [sb, sd]) assert.equal((await s.closed()).reason, 'remote');
});
