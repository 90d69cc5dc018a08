// Component: a member removed from a group can be invited back at once (same group, so the same
// session id), MLS on, our moderator and our participants on an in-memory fabric. Before, the
// participant refused any JOIN_REQUEST for a session id it had closed in the last ~22 s, and the
// invitation failed once its retries ran out. A late resend of the old invitation is still ignored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signControl } from '../../src/slim/auth/index.js';
import { baseName, parseName } from '../../src/slim/dataplane/name.js';
import { decodeMessage, encodeMessage } from '../../src/slim/proto/index.js';
import type { Message } from '../../src/slim/proto/index.js';
import { MsgType, readFrame } from '../../src/slim/session/frames.js';
import { MemoryFabric } from '../support/memory-fabric.js';
import { makeApp, nextIncoming, take } from '../support/session-apps.js';

test('a removed member is invited back at once and reads the group again', async (t) => {
  const fabric = new MemoryFabric();
  const [alice, bob, carol] = await Promise.all(
    ['alice', 'bob', 'carol'].map((n) => makeApp({ name: `org/ns/${n}`, link: fabric.link(n), mls: true })),
  );
  t.after(() => Promise.all([alice!, bob!, carol!].map((a) => a.close())));

  const group = await alice!.createSession(parseName('org/ns/rechan'), { kind: 'group' });
  const joins = [nextIncoming(bob!), nextIncoming(carol!)];
  await group.invite(parseName('org/ns/bob'));
  await group.invite(parseName('org/ns/carol'));
  const [sb1, sc] = await Promise.all(joins);
  const ic = sc!.messages()[Symbol.asyncIterator]();

  let bobSession = sb1!;
  for (const round of [1, 2]) {
    await group.remove(parseName('org/ns/bob'));
    assert.equal((await bobSession.closed()).reason, 'remote');
    const back = nextIncoming(bob!);
    // A generous deadline: the invitation used to fail when its retries ran out (~11 s).
    await group.invite(parseName('org/ns/bob'), { timeoutMs: 30_000 });
    bobSession = await back;
    assert.equal(bobSession.id, group.id, 'the same group session');
    assert.deepEqual(group.participants().map(baseName).sort(), [
      'org/ns/alice',
      'org/ns/bob',
      'org/ns/carol',
    ]);
    await group.publish(Buffer.from(`welcome-back-${round}`));
    assert.deepEqual(await take(bobSession.messages()[Symbol.asyncIterator](), 1), [`welcome-back-${round}`]);
    assert.deepEqual(await take(ic, 1), [`welcome-back-${round}`]);
    await bobSession.publish(Buffer.from(`bob-again-${round}`));
    assert.deepEqual(await take(ic, 1), [`bob-again-${round}`]);
  }
  await group.close();
});

test('a late resend of the old invitation does not take the member back', async (t) => {
  const fabric = new MemoryFabric();
  const aliceLink = fabric.link('alice');
  const alice = await makeApp({ name: 'org/ns/alice', link: aliceLink, mls: true });
  const bob = await makeApp({ name: 'org/ns/bob', link: fabric.link('bob'), mls: true });
  t.after(() => Promise.all([alice.close(), bob.close()]));
  let firstJoin: Message | undefined;
  fabric.intercept = (m) => {
    if (!firstJoin && readFrame(m)?.type === MsgType.JOIN_REQUEST)
      firstJoin = decodeMessage(encodeMessage(m));
    return m;
  };
  const group = await alice.createSession(parseName('org/ns/rechan2'), { kind: 'group' });
  const first = nextIncoming(bob);
  await group.invite(parseName('org/ns/bob'));
  const sb = await first;
  await group.remove(parseName('org/ns/bob'));
  await sb.closed();
  // The moderator's resend of its first JOIN_REQUEST (same message id, fresh token), arriving late.
  const resend = readFrame(firstJoin!)!;
  signControl(resend.publish, alice.identity.token(), alice.identity.signingKey);
  fabric.route(firstJoin!, aliceLink);
  // Had bob taken it as an invitation, it would wait there for a welcome that never comes and
  // ignore the real one below.
  const back = nextIncoming(bob);
  await group.invite(parseName('org/ns/bob'), { timeoutMs: 30_000 });
  const again = await back;
  await group.publish(Buffer.from('back'));
  assert.deepEqual(await take(again.messages()[Symbol.asyncIterator](), 1), ['back']);
  await group.close();
});
