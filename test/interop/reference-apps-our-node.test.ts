// Interop: reference SLIM apps (the Rust core, from npm) connected to OUR node. A point-to-point
// session with MLS and reliability exchanges 100 messages each way with none lost; a group
// session (moderator and two participants, MLS on) delivers every message to every member, and a
// removed member stops getting them. Fails (never skips) when the reference cannot load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SlimNode } from '../../src/slim/node/index.js';
import { ReferencePeer } from '../support/reference.js';
import { connectReferenceApp } from '../support/reference-apps.js';

const N = 100;

test('reference apps: P2P session with MLS and reliability, 100 messages each way, none lost', async (t) => {
  const node = await SlimNode.create({ listen: '127.0.0.1:0' });
  const bob = await ReferencePeer.start({ label: 'bob' });
  const alice = await ReferencePeer.start({ label: 'alice' });
  t.after(async () => {
    await Promise.all([alice.stop(), bob.stop()]);
    await node.close();
  });
  await connectReferenceApp(bob, 'bob', node.endpoint!);
  await connectReferenceApp(alice, 'alice', node.endpoint!);

  const bobSide = bob.run<string[]>(
    `const sess = await objects.get('app').listenForSessionAsync(30000);
     const got = [];
     for (let i = 0; i < args.n; i++) {
       const m = await sess.getMessageAsync(30000);
       const text = td.decode(m.payload);
       got.push(text);
       await sess.publishToAsync(m.context, te.encode('re:' + text).buffer, undefined, undefined);
     }
     return got;`,
    { n: N },
    120_000,
  );
  const aliceGot = await alice.run<string[]>(
    `const bob = new s.Name('org', 'ns', 'bob');
     await objects.get('app').setRouteAsync(bob, objects.get('conn'));
     const cfg = s.SessionConfig.create({ sessionType: s.SessionType.PointToPoint, metadata: new Map(),
       maxRetries: 5, interval: 1000,
       mlsSettings: s.MlsSettings.create({ headerIntegrityValidationPercent: 100 }) });
     const sess = await objects.get('app').createSessionAndWaitAsync(cfg, bob);
     for (let i = 0; i < args.n; i++) await sess.publishAsync(te.encode('m' + i).buffer, undefined, undefined);
     const got = [];
     for (let i = 0; i < args.n; i++) got.push(td.decode((await sess.getMessageAsync(30000)).payload));
     return got;`,
    { n: N },
    120_000,
  );
  const sent = Array.from({ length: N }, (_, i) => `m${i}`);
  assert.deepEqual([...(await bobSide)].sort(), [...sent].sort(), 'bob got every message');
  assert.deepEqual([...aliceGot].sort(), sent.map((m) => `re:${m}`).sort(), 'alice got every reply');
  assert.equal(node.stats().connections, 2);
});

test('reference apps: group session with MLS, every member gets every message, a removed member stops', async (t) => {
  const node = await SlimNode.create({ listen: '127.0.0.1:0' });
  const mod = await ReferencePeer.start({ label: 'mod' });
  const p1 = await ReferencePeer.start({ label: 'p1' });
  const p2 = await ReferencePeer.start({ label: 'p2' });
  t.after(async () => {
    await Promise.all([mod.stop(), p1.stop(), p2.stop()]);
    await node.close();
  });
  for (const [peer, name] of [
    [mod, 'mod'],
    [p1, 'p1'],
    [p2, 'p2'],
  ] as const) {
    await connectReferenceApp(peer, name, node.endpoint!);
  }
  // Participants collect every message until told to stop; p1 also speaks once to the group.
  const participant = `
    const sess = await objects.get('app').listenForSessionAsync(30000);
    objects.set('sess', sess);
    const got = [];
    objects.set('got', got);
    for (;;) {
      try {
        const m = await sess.getMessageAsync(1000);
        const text = td.decode(m.payload);
        got.push(text);
        emit('got', { who: args.me, text });
        if (text === 'hello-1' && args.me === 'p1') await sess.publishAsync(te.encode('from-p1').buffer, undefined, undefined);
      } catch (e) {
        if (objects.get('stop')) return got;
        await sleep(50); // a closed session fails at once: never spin without yielding
      }
    }`;
  const p1Done = p1.run<string[]>(participant, { me: 'p1' }, 120_000);
  const p2Done = p2.run<string[]>(participant, { me: 'p2' }, 120_000);

  await mod.run(
    `const app = objects.get('app');
     for (const p of ['p1', 'p2']) await app.setRouteAsync(new s.Name('org', 'ns', p), objects.get('conn'));
     const cfg = s.SessionConfig.create({ sessionType: s.SessionType.Group, metadata: new Map(),
       maxRetries: 5, interval: 1000,
       mlsSettings: s.MlsSettings.create({ headerIntegrityValidationPercent: 100 }) });
     const sess = await app.createSessionAndWaitAsync(cfg, new s.Name('org', 'ns', 'chat'));
     objects.set('sess', sess);
     await sess.inviteAndWaitAsync(new s.Name('org', 'ns', 'p1'));
     await sess.inviteAndWaitAsync(new s.Name('org', 'ns', 'p2'));
     const got = [];
     objects.set('got', got);
     (async () => { for (;;) { try { const m = await sess.getMessageAsync(1000); got.push(td.decode(m.payload)); emit('got', { who: 'mod', text: td.decode(m.payload) }); } catch { if (objects.get('stop')) return; await sleep(50); } } })();
     for (let i = 0; i < 5; i++) await sess.publishAndWaitAsync(te.encode('hello-' + i).buffer, undefined, undefined);`,
    {},
    120_000,
  );
  for (let i = 0; i < 5; i++) {
    await p1.waitForEvent((e) => e['text'] === `hello-${i}`, 60_000);
    await p2.waitForEvent((e) => e['text'] === `hello-${i}`, 60_000);
  }
  await mod.waitForEvent((e) => e['text'] === 'from-p1', 60_000);
  await p2.waitForEvent((e) => e['text'] === 'from-p1', 60_000);

  await mod.run(
    `const sess = objects.get('sess');
     await sess.removeAndWaitAsync(new s.Name('org', 'ns', 'p2'));
     await sess.publishAndWaitAsync(te.encode('after-remove').buffer, undefined, undefined);`,
    {},
    120_000,
  );
  await p1.waitForEvent((e) => e['text'] === 'after-remove', 60_000);
  // p2 had every earlier message; give the removed member the same chance, then stop everyone.
  await new Promise((r) => setTimeout(r, 1500));
  for (const p of [mod, p1, p2]) await p.run(`objects.set('stop', true);`);
  const [got1, got2] = await Promise.all([p1Done, p2Done]);
  assert.ok(got1.includes('after-remove'));
  assert.equal(got2.includes('after-remove'), false, 'the removed member no longer receives');
  assert.equal(got2.filter((x) => x.startsWith('hello-')).length, 5, 'p2 got every message while a member');
  assert.equal(got1.filter((x) => x === 'hello-0').length, 1, 'no duplicates');
});
