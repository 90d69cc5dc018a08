// Interop: JWT-authenticated links against the REFERENCE, both ways, over TLS. Our link presents a
// JWT minted from its ES256 key (as `slim.nodeAuth: { jwt: true }` does) to a reference node whose
// server auth verifies JWTs against a JWKS; the reference's own JWT client auth (a token minted per
// connect, its `kid` the subject) is accepted by our node checking with the same JWKS. Tokens from
// an untrusted key are refused on both sides. Keys are generated at test time
// (test/support/reference-jwt.ts); certificates come from test/fixtures/tls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { JwtSigner, JwtVerifier } from '../../src/slim/auth/index.js';
import { tlsLinks } from '../support/tls-links.js';
import { makeName } from '../../src/slim/dataplane/name.js';
import { BearerAuthenticator, bearerCredentials } from '../../src/slim/dataplane/index.js';
import { SlimNode } from '../../src/slim/node/index.js';
import { Inbox, publishFrame } from '../support/dataplane.js';
import { captureLogs } from '../support/log-capture.js';
import { REPO_ROOT } from '../support/paths.js';
import { ReferencePeer, freePort } from '../support/reference.js';
import { SHARED_SECRET } from '../support/reference-apps.js';
import { startConfigNode } from '../support/reference-nodes.js';
import { JWT_AUDIENCE, JWT_ISSUER, jwtWorld } from '../support/reference-jwt.js';
import type { JwtParty } from '../support/reference-jwt.js';

const TLS = join(REPO_ROOT, 'test', 'fixtures', 'tls');
const pem = (f: string) => new Uint8Array(readFileSync(join(TLS, f)));
const ca = pem('ca.pem');
const alice = makeName('org', 'ns', 'alice', 0xa1n);
const bob = makeName('org', 'ns', 'bob', 0xb1n);

/** What nodeAuth jwt builds: a signer over the party's key, its token as a bearer credential. */
const jwtCredentials = (party: JwtParty) => {
  const signer = new JwtSigner({
    source: { kind: 'keyFile', path: party.keyFile },
    subject: party.subject,
    issuer: JWT_ISSUER,
    audience: [JWT_AUDIENCE],
  });
  return bearerCredentials('jwt', () => signer.current());
};

test('our link with a JWT to a reference node verifying JWTs over TLS; an untrusted key is refused', async (t) => {
  const world = await jwtWorld(['acme/gw1']);
  t.after(() => world.close());
  const port = await freePort();
  await startConfigNode(
    t,
    'ref-jwt',
    `tracing:
  log_level: info
runtime:
  n_cores: 0
  thread_name: "slim-jwt"
  drain_timeout: 2s
services:
  slim/0:
    node_id: jwt-${randomUUID().slice(0, 8)}
    dataplane:
      servers:
        - endpoint: "127.0.0.1:${port}"
          tls:
            source: { type: file, cert: "${join(TLS, 'node.pem')}", key: "${join(TLS, 'node.key')}" }
          auth:
            type: jwt
            claims: { audience: ["${JWT_AUDIENCE}"], issuer: "${JWT_ISSUER}" }
            duration: 1h
            key:
              type: decoding
              algorithm: ES256
              format: jwks
              key: { file: "${world.jwksFile}" }
      clients: []
`,
    port,
  );
  const endpoint = `https://127.0.0.1:${port}`;
  const link = tlsLinks(t, endpoint, ca);
  const gw1 = world.parties.get('acme/gw1')!;
  const a = link(jwtCredentials(gw1));
  const b = link(jwtCredentials(gw1));
  const inbox = new Inbox(b);
  await a.start();
  await b.start();
  await b.subscribe(bob, { source: bob });
  await a.publish(publishFrame(alice, bob, 'jwt-authenticated'));
  await inbox.until((x) => x.includes('jwt-authenticated'), 'the frame');

  await assert.rejects(link(jwtCredentials(world.untrusted)).start(), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'AUTH');
    assert.match(e.message, /refused our jwt credentials: UNAUTHENTICATED/);
    return true;
  });
  await assert.rejects(link().start(), { code: 'AUTH' });
});

test('a reference app with JWT client auth to our node verifying JWTs over TLS; an untrusted key is refused', async (t) => {
  const world = await jwtWorld(['org/ns/bob', 'org/ns/alice']);
  t.after(() => world.close());
  const logs = captureLogs('info');
  const verifier = new JwtVerifier({
    keyFiles: [world.jwksFile],
    issuers: [JWT_ISSUER],
    audience: JWT_AUDIENCE,
  });
  const node = await SlimNode.create({
    listen: '127.0.0.1:0',
    tls: { cert: pem('node.pem'), key: pem('node.key') },
    auth: new BearerAuthenticator('jwt', (token) => verifier.verify(token).sub),
    logger: logs.logger,
  });
  const peers: ReferencePeer[] = [];
  t.after(async () => {
    await Promise.all(peers.map((p) => p.stop()));
    await node.close();
  });
  /** The reference client configuration (its JSON schema): TLS with our CA, JWT client auth. */
  const connect = async (name: string, party: JwtParty) => {
    const peer = await ReferencePeer.start({ label: name });
    peers.push(peer);
    const config = JSON.stringify({
      endpoint: node.endpoint,
      tls: { ca_source: { type: 'file', path: join(TLS, 'ca.pem') }, include_system_ca_certs_pool: false },
      auth: {
        type: 'jwt',
        claims: { audience: [JWT_AUDIENCE], issuer: JWT_ISSUER, subject: party.subject },
        duration: '1h',
        key: { type: 'encoding', algorithm: 'ES256', format: 'pem', key: { file: party.keyFile } },
      },
    });
    const result = peer
      .run<string>(
        `const me = new s.Name('org', 'ns', args.name);
         const app = svc.createAppWithSecret(me, args.secret);
         const conn = await svc.connectAsync(s.newConfigFromJson(args.config));
         objects.set('app', app); objects.set('conn', conn);
         await app.subscribeAsync(me, conn);
         return String(conn);`,
        { name, secret: SHARED_SECRET, config },
        20_000,
      )
      .then(
        () => 'connected',
        (e: Error) => e.message,
      );
    return { peer, result };
  };
  const bobConn = await connect('bob', world.parties.get('org/ns/bob')!);
  const aliceConn = await connect('alice', world.parties.get('org/ns/alice')!);
  assert.equal(await bobConn.result, 'connected');
  assert.equal(await aliceConn.result, 'connected');
  const bobSide = bobConn.peer.run<string>(
    `const sess = await objects.get('app').listenForSessionAsync(30000);
     const m = await sess.getMessageAsync(30000);
     return td.decode(m.payload);`,
    {},
    60_000,
  );
  await aliceConn.peer.run(
    `const bob = new s.Name('org', 'ns', 'bob');
     await objects.get('app').setRouteAsync(bob, objects.get('conn'));
     const cfg = s.SessionConfig.create({ sessionType: s.SessionType.PointToPoint, metadata: new Map(),
       maxRetries: 5, interval: 1000, mlsSettings: s.MlsSettings.create({ headerIntegrityValidationPercent: 100 }) });
     const sess = await objects.get('app').createSessionAndWaitAsync(cfg, bob);
     await sess.publishAsync(te.encode('hello with a JWT').buffer, undefined, undefined);`,
    {},
    60_000,
  );
  assert.equal(await bobSide, 'hello with a JWT');
  assert.ok(
    logs.records.some((r) => r['principal'] === 'org/ns/alice' && /link negotiated/.test(String(r['msg']))),
    'the node logs the token subject',
  );
  const linked = node.stats().connections;

  const eve = await connect('eve', world.untrusted);
  await logs.waitFor(/refusing link: authentication failed: /);
  assert.equal(node.stats().connections, linked, 'no link for an untrusted token');
  assert.notEqual(await eve.result, 'connected');
});
