// Interop: authenticated links against the REFERENCE (the Rust core from npm), both ways.
// Our link to a reference node that serves TLS and requires Basic (configured as its users do, in
// SLIM YAML): with the password our links exchange frames through it; without credentials, or with
// a wrong password, start() fails with an AUTH error saying so. Reference apps to our node with
// mTLS and Basic: with the password they hold an MLS session through it; without credentials our
// node refuses them (UNAUTHENTICATED, logged) and their traffic never reaches the node's table.
// Certificates: test/fixtures/tls (see gen.sh). Fails (never skips) when the reference cannot load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { tlsLinks } from '../support/tls-links.js';
import { makeName } from '../../src/slim/dataplane/name.js';
import { BasicAuthenticator, basicCredentials } from '../../src/slim/dataplane/index.js';
import { SlimNode } from '../../src/slim/node/index.js';
import { Inbox, publishFrame } from '../support/dataplane.js';
import { captureLogs } from '../support/log-capture.js';
import { REPO_ROOT } from '../support/paths.js';
import { ReferencePeer, freePort } from '../support/reference.js';
import { SHARED_SECRET } from '../support/reference-apps.js';
import { startConfigNode } from '../support/reference-nodes.js';

const TLS = join(REPO_ROOT, 'test', 'fixtures', 'tls');
const pem = (f: string) => new Uint8Array(readFileSync(join(TLS, f)));
const ca = pem('ca.pem');
const PASSWORD = 'node-password-0123456789-0123456789';
const alice = makeName('org', 'ns', 'alice', 0xa1n);
const bob = makeName('org', 'ns', 'bob', 0xb1n);

/** A reference node listening with TLS and requiring Basic `gw1`/PASSWORD, as in its basic-auth example. */
function basicAuthNodeYaml(port: number): string {
  return `tracing:
  log_level: info
runtime:
  n_cores: 0
  thread_name: "slim-auth"
  drain_timeout: 2s
services:
  slim/0:
    node_id: auth-${randomUUID().slice(0, 8)}
    dataplane:
      servers:
        - endpoint: "127.0.0.1:${port}"
          tls:
            source:
              type: file
              cert: "${join(TLS, 'node.pem')}"
              key: "${join(TLS, 'node.key')}"
          auth:
            type: basic
            username: gw1
            password: "${PASSWORD}"
      clients: []
`;
}

test('our link to a reference node requiring Basic over TLS: linked with the password, refused without', async (t) => {
  const port = await freePort();
  await startConfigNode(t, 'ref-basic', basicAuthNodeYaml(port), port);
  const endpoint = `https://127.0.0.1:${port}`;
  const link = tlsLinks(t, endpoint, ca);
  const creds = basicCredentials({ username: 'gw1', password: PASSWORD });
  const a = link(creds);
  const b = link(creds);
  const inbox = new Inbox(b);
  await a.start();
  await b.start();
  await b.subscribe(bob, { source: bob });
  await a.publish(publishFrame(alice, bob, 'through an authenticated reference node'));
  await inbox.until((x) => x.includes('through an authenticated reference node'), 'the frame');
  assert.ok(a.headerMacActive, 'negotiated with the reference node (X25519 key returned)');

  await assert.rejects(link().start(), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'AUTH');
    assert.match(e.message, /requires credentials \(set slim.nodeAuth\): UNAUTHENTICATED/);
    return true;
  });
  const wrong = basicCredentials({ username: 'gw1', password: 'wrong-password' });
  await assert.rejects(link(wrong).start(), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'AUTH');
    assert.match(e.message, /refused our basic credentials: UNAUTHENTICATED/);
    return true;
  });
});

/** The reference client configuration (its JSON schema): TLS with our CA, a client certificate, Basic. */
function clientConfigJson(endpoint: string, password: string | undefined): string {
  return JSON.stringify({
    endpoint,
    tls: {
      ca_source: { type: 'file', path: join(TLS, 'ca.pem') },
      source: { type: 'file', cert: join(TLS, 'client.pem'), key: join(TLS, 'client.key') },
      include_system_ca_certs_pool: false,
    },
    ...(password !== undefined ? { auth: { type: 'basic', username: 'gw1', password } } : {}),
  });
}

test('reference apps to our node with mTLS and Basic: an MLS session with the password; refused without', async (t) => {
  const logs = captureLogs('info');
  const node = await SlimNode.create({
    listen: '127.0.0.1:0',
    tls: { cert: pem('node.pem'), key: pem('node.key'), ca },
    auth: new BasicAuthenticator([{ username: 'gw1', password: PASSWORD }]),
    logger: logs.logger,
  });
  const bobPeer = await ReferencePeer.start({ label: 'bob' });
  const alicePeer = await ReferencePeer.start({ label: 'alice' });
  const eve = await ReferencePeer.start({ label: 'eve' });
  t.after(async () => {
    await Promise.all([alicePeer.stop(), bobPeer.stop(), eve.stop()]);
    await node.close();
  });
  const connect = (peer: ReferencePeer, name: string, password: string | undefined) =>
    peer.run<string>(
      `const me = new s.Name('org', 'ns', args.name);
       const app = svc.createAppWithSecret(me, args.secret);
       const conn = await svc.connectAsync(s.newConfigFromJson(args.config));
       objects.set('app', app); objects.set('conn', conn);
       await app.subscribeAsync(me, conn);
       return String(conn);`,
      { name, secret: SHARED_SECRET, config: clientConfigJson(node.endpoint!, password) },
      20_000,
    );
  await connect(bobPeer, 'bob', PASSWORD);
  await connect(alicePeer, 'alice', PASSWORD);
  const bobSide = bobPeer.run<string>(
    `const sess = await objects.get('app').listenForSessionAsync(30000);
     const m = await sess.getMessageAsync(30000);
     await sess.publishToAsync(m.context, te.encode('re:' + td.decode(m.payload)).buffer, undefined, undefined);
     return td.decode(m.payload);`,
    {},
    60_000,
  );
  const reply = await alicePeer.run<string>(
    `const bob = new s.Name('org', 'ns', 'bob');
     await objects.get('app').setRouteAsync(bob, objects.get('conn'));
     const cfg = s.SessionConfig.create({ sessionType: s.SessionType.PointToPoint, metadata: new Map(),
       maxRetries: 5, interval: 1000, mlsSettings: s.MlsSettings.create({ headerIntegrityValidationPercent: 100 }) });
     const sess = await objects.get('app').createSessionAndWaitAsync(cfg, bob);
     await sess.publishAsync(te.encode('hello over mTLS and Basic').buffer, undefined, undefined);
     return td.decode((await sess.getMessageAsync(30000)).payload);`,
    {},
    60_000,
  );
  assert.equal(await bobSide, 'hello over mTLS and Basic');
  assert.equal(reply, 're:hello over mTLS and Basic');
  assert.ok(logs.records.some((r) => r['principal'] === 'gw1' && /link negotiated/.test(String(r['msg']))));
  const linked = node.stats().connections;
  assert.equal(linked, 2);

  // Without credentials: the reference app gets no link on our node (whatever its connect call says).
  const eveConnect = connect(eve, 'eve', undefined).then(
    () => 'connected',
    (e: Error) => e.message,
  );
  await logs.waitFor(/refusing link: authentication failed: no credentials \(Basic required\)/);
  assert.equal(node.stats().connections, linked, 'no link for the app without credentials');
  const outcome = await eveConnect;
  assert.notEqual(outcome, 'connected', 'the reference reports the refusal to its app');
  assert.ok(!JSON.stringify(logs.records).includes(PASSWORD), 'no password in the logs');
});
