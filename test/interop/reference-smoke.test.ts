// Interop precondition: the reference SLIM implementation loads from npm and two reference apps
// talk through a reference node. If this fails, every interop test is failing for the same reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReferencePeer, startReferenceNode } from '../support/reference.js';

const SECRET = 'a-very-long-shared-secret-0123456789abcdef';

test('reference apps exchange a message through a reference node', async () => {
  const node = await startReferenceNode();
  const bob = await ReferencePeer.start({ label: 'bob' });
  const alice = await ReferencePeer.start({ label: 'alice' });
  try {
    assert.match(node.peer.version, /^2\./);
    const setup = `
      const me = new s.Name('org', 'ns', args.name);
      const app = svc.createAppWithSecret(me, args.secret);
      const conn = await svc.connectAsync(s.newInsecureClientConfig(args.endpoint));
      await app.subscribeAsync(me, conn);
      objects.set('app', app); objects.set('conn', conn);
      return app.id();`;
    await bob.run(setup, { name: 'bob', secret: SECRET, endpoint: node.endpoint });
    await alice.run(setup, { name: 'alice', secret: SECRET, endpoint: node.endpoint });
    const bobEcho = bob.run(`
      const sess = await objects.get('app').listenForSessionAsync(10000);
      const m = await sess.getMessageAsync(10000);
      await sess.publishToAsync(m.context, te.encode('echo:' + td.decode(m.payload)).buffer, undefined, undefined);
      return td.decode(m.payload);`);
    const reply = await alice.run<string>(`
      const bob = new s.Name('org', 'ns', 'bob');
      await objects.get('app').setRouteAsync(bob, objects.get('conn'));
      const cfg = s.SessionConfig.create({ sessionType: s.SessionType.PointToPoint, metadata: new Map(),
        mlsSettings: s.MlsSettings.create({ headerIntegrityValidationPercent: 100 }) });
      const sess = await objects.get('app').createSessionAndWaitAsync(cfg, bob);
      await sess.publishAsync(te.encode('hello').buffer, undefined, undefined);
      const m = await sess.getMessageAsync(10000);
      return td.decode(m.payload);`);
    assert.equal(await bobEcho, 'hello');
    assert.equal(reply, 'echo:hello');
  } finally {
    await Promise.all([alice.stop(), bob.stop(), node.peer.stop()]);
  }
});
