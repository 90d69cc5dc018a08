// Interop of refusals with the reference, on our node: a reference app holding another shared
// secret never gets a session with our app, and our app holding another secret never gets one
// with a reference app. Fails (never skips) when the reference cannot load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseName } from '../../src/slim/dataplane/name.js';
import { isGatewayError } from '../../src/util/errors.js';
import { ReferencePeer } from '../support/reference.js';
import { startNode } from '../support/reference-sessions.js';
import { SECRET, makeApp } from '../support/session-apps.js';

const OTHER = 'another-shared-secret-long-enough-000000';

test('no session across different shared secrets, in either direction (reference)', async (t) => {
  const node = await startNode('ours');
  const ref = await ReferencePeer.start({ label: 'stranger' });
  let offered = 0;
  const ours = await makeApp({
    name: 'org/ns/guarded',
    link: node.link(),
    acceptPolicy: () => (++offered, true),
  });
  const oursWrong = await makeApp({ name: 'org/ns/intruder', link: node.link(), secret: OTHER });
  t.after(async () => {
    await Promise.allSettled([ours.close(), oursWrong.close()]);
    await ref.stop();
    await node.close();
  });
  await ref.run(
    `const me = new s.Name('org', 'ns', 'stranger');
     const app = svc.createAppWithSecret(me, args.secret);
     const conn = await svc.connectAsync(s.newInsecureClientConfig(args.endpoint));
     await app.subscribeAsync(me, conn);
     objects.set('app', app); objects.set('conn', conn);`,
    { secret: OTHER, endpoint: node.endpoint },
  );
  // The reference, with another secret, invites our app: discovery is never answered.
  const refResult = await ref.run<string>(
    `const target = new s.Name('org', 'ns', 'guarded');
     await objects.get('app').setRouteAsync(target, objects.get('conn'));
     const cfg = s.SessionConfig.create({ sessionType: s.SessionType.PointToPoint, metadata: new Map(),
       maxRetries: 2, interval: 300 });
     try { await objects.get('app').createSessionAndWaitAsync(cfg, target); return 'session'; }
     catch (e) { return 'refused: ' + String(e?.inner?.message ?? e?.message ?? e); }`,
    {},
    60_000,
  );
  assert.match(refResult, /^refused/);
  assert.equal(offered, 0, 'nothing reached our accept policy');
  // Our app, with the other secret, invites a reference app holding the project's secret.
  const refGood = await ReferencePeer.start({ label: 'good' });
  t.after(() => refGood.stop());
  await refGood.run(
    `const me = new s.Name('org', 'ns', 'goodref');
     const app = svc.createAppWithSecret(me, args.secret);
     const conn = await svc.connectAsync(s.newInsecureClientConfig(args.endpoint));
     await app.subscribeAsync(me, conn);
     objects.set('app', app);
     objects.set('listen', app.listenForSessionAsync(4000).then(() => 'session', () => 'none'));`,
    { secret: SECRET, endpoint: node.endpoint },
  );
  await assert.rejects(
    oursWrong.createSession(parseName('org/ns/goodref'), {
      kind: 'p2p',
      mls: false,
      intervalMs: 300,
      maxRetries: 2,
    }),
    (e: unknown) => isGatewayError(e, 'UNAVAILABLE'),
  );
  assert.equal(await refGood.run<string>(`return await objects.get('listen');`, {}, 60_000), 'none');
});
