// Sessions with MLS between our apps on an in-memory fabric: p2p both ways, a group that adds
// and removes members, and what a removed member can no longer read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseName } from '../../src/slim/dataplane/name.js';
import type { SharedSecretIdentity } from '../../src/slim/auth/index.js';
import { createMlsClient, inspectMlsMessage } from '../../src/slim/mls/index.js';
import type { MlsClient, MlsGroup } from '../../src/slim/mls/index.js';
import { decodeMessage } from '../../src/slim/proto/index.js';
import { MsgType, readFrame } from '../../src/slim/session/frames.js';
import type { Session } from '../../src/slim/session/index.js';
import { MemoryFabric } from '../support/memory-fabric.js';
import { makeApp, nextIncoming, take } from '../support/session-apps.js';

test('p2p with MLS: 100 messages each way', async (t) => {
  const fabric = new MemoryFabric();
  const alice = await makeApp({ name: 'org/ns/alice', link: fabric.link('alice'), mls: true });
  const bob = await makeApp({ name: 'org/ns/bob', link: fabric.link('bob'), mls: true });
  t.after(() => Promise.all([alice.close(), bob.close()]));
  const incoming = nextIncoming(bob);
  const sa = await alice.createSession(parseName('org/ns/bob'), { kind: 'p2p', mls: true });
  const sb = await incoming;
  assert.equal(sb.mls, true);
  const sent = Array.from({ length: 100 }, (_, i) => `m${i}`);
  const ib = sb.messages()[Symbol.asyncIterator]();
  const ia = sa.messages()[Symbol.asyncIterator]();
  for (const m of sent) await sa.publish(Buffer.from(m));
  for (const m of sent) await sb.publish(Buffer.from('echo:' + m));
  assert.deepEqual(await take(ib, 100), sent);
  assert.deepEqual(
    await take(ia, 100),
    sent.map((m) => 'echo:' + m),
  );
  await sa.close();
  assert.equal((await sb.closed()).reason, 'remote');
});

test('group with MLS: add, remove, and the removed member reads nothing afterwards', async (t) => {
  const fabric = new MemoryFabric();
  // carol's MLS client keeps her group state (the session would erase it) for the check below.
  const carolGroups: MlsGroup[] = [];
  const keepGroups = async (identity: SharedSecretIdentity): Promise<MlsClient> => {
    const inner = await createMlsClient({ identity, verifier: identity });
    return {
      createGroup: () => inner.createGroup(),
      prepareJoin: async () => {
        const p = await inner.prepareJoin();
        return {
          keyPackage: p.keyPackage,
          join: async (w: Uint8Array) => {
            const g = await p.join(w);
            carolGroups.push(g);
            return Object.assign(Object.create(g) as MlsGroup, { close: () => undefined });
          },
        };
      },
    };
  };
  const apps = await Promise.all(
    ['alice', 'bob', 'carol', 'dave'].map((n) =>
      makeApp({ name: `org/ns/${n}`, link: fabric.link(n), mls: n === 'carol' ? keepGroups : true }),
    ),
  );
  const [alice, bob, carol, dave] = apps as [
    (typeof apps)[0],
    (typeof apps)[0],
    (typeof apps)[0],
    (typeof apps)[0],
  ];
  t.after(() => Promise.all(apps.map((a) => a.close())));
  const group = await alice.createSession(parseName('org/ns/chan'), { kind: 'group', mls: true });
  const joins = [nextIncoming(bob), nextIncoming(carol)];
  await group.invite(parseName('org/ns/bob'));
  await group.invite(parseName('org/ns/carol'));
  const [sb, sc] = (await Promise.all(joins)) as [Session, Session];
  const ib = sb.messages()[Symbol.asyncIterator]();
  const ic = sc.messages()[Symbol.asyncIterator]();
  await group.publish(Buffer.from('epoch-2'));
  assert.deepEqual(await take(ib, 1), ['epoch-2']);
  assert.deepEqual(await take(ic, 1), ['epoch-2']);

  const dJoin = nextIncoming(dave);
  await group.invite(parseName('org/ns/dave'));
  const sd = await dJoin;
  const id = sd.messages()[Symbol.asyncIterator]();
  await sb.publish(Buffer.from('bob-epoch-3'));
  for (const it of [ic, id]) assert.deepEqual(await take(it, 1), ['bob-epoch-3']);

  // carol is removed, but keeps listening on the data channel with a spy subscription.
  fabric.recordForwarded = true;
  await group.remove(parseName('org/ns/carol'));
  assert.equal((await sc.closed()).reason, 'remote');
  await group.publish(Buffer.from('secret-after-remove'));
  for (const it of [ib, id]) assert.deepEqual(await take(it, 1), ['secret-after-remove']);
  const plaintext = Buffer.from('secret-after-remove');
  const data = fabric.forwarded
    .map((b) => readFrame(decodeMessage(b)))
    .filter((f) => f?.type === MsgType.MSG && f.sessionId === group.id);
  assert.ok(data.length > 0);
  for (const f of fabric.forwarded)
    assert.equal(Buffer.from(f).indexOf(plaintext), -1, 'the fabric saw plaintext');
  // carol's last group state (she applied her own removal commit up to the point she was out).
  const carolGroup = carolGroups[0]!;
  for (const f of data) {
    const epoch = inspectMlsMessage(f!.app!.blob).epoch!;
    assert.ok(epoch > carolGroup.epoch, 'sent in an epoch after carol left');
    await assert.rejects(carolGroup.decrypt(f!.app!.blob), 'a removed member decrypted');
  }
  await group.close();
});
