// Component: authenticated links between our link and our node (docs/security.md, Node
// authentication): Basic over mTLS, a bearer token file read again when it is rotated, and the
// refusals a user sees (no credentials, a wrong password, an unknown token): UNAUTHENTICATED from
// the node, an AUTH error naming the scheme on the link, a node log line that never holds the
// credential; a connection that was refused is closed instead of taking more guesses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { SlimNode } from '../../src/slim/node/index.js';
import { GrpcLink } from '../../src/slim/dataplane/grpc-link.js';
import { makeName } from '../../src/slim/dataplane/name.js';
import {
  BasicAuthenticator,
  BearerFileCredentials,
  basicAuthorization,
  basicCredentials,
} from '../../src/slim/dataplane/index.js';
import type { LinkAuthenticator } from '../../src/slim/dataplane/index.js';
import { OPEN_CHANNEL_PATH } from '../../src/slim/dataplane/wire.js';
import { deserializeFrame, serializeFrame } from '../../src/slim/dataplane/grpc-transport.js';
import { Inbox, publishFrame } from '../support/dataplane.js';
import { captureLogs } from '../support/log-capture.js';
import { REPO_ROOT } from '../support/paths.js';

const pem = (f: string) => new Uint8Array(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'tls', f)));
const ca = pem('ca.pem');
const mtls = { ca, cert: pem('client.pem'), key: pem('client.key') };
const alice = makeName('org', 'ns', 'alice', 1n);
const bob = makeName('org', 'ns', 'bob', 2n);
const PASSWORD = 'node-password-0123456789-0123456789';

type After = { after: (fn: () => void | Promise<void>) => void };

async function exchange(a: GrpcLink, b: GrpcLink, text: string): Promise<void> {
  const inbox = new Inbox(b);
  await a.start();
  await b.start();
  await b.subscribe(bob, { source: bob });
  await a.publish(publishFrame(alice, bob, text));
  await inbox.until((x) => x.includes(text), text);
}

async function mtlsNode(t: After, auth: LinkAuthenticator) {
  const logs = captureLogs('debug');
  const node = await SlimNode.create({
    listen: '127.0.0.1:0',
    tls: { cert: pem('node.pem'), key: pem('node.key'), ca },
    auth,
    logger: logs.logger,
  });
  const links: GrpcLink[] = [];
  t.after(async () => {
    await Promise.all(links.map((l) => l.close()));
    await node.close();
  });
  const link = (options: Partial<ConstructorParameters<typeof GrpcLink>[0]> = {}) => {
    const l = new GrpcLink({ endpoint: node.endpoint!, tls: mtls, connectTimeoutMs: 5_000, ...options });
    links.push(l);
    return l;
  };
  return { node, logs, link };
}

test('Basic over mTLS: the right password links; none, a wrong one, another user are refused', async (t) => {
  const { logs, link } = await mtlsNode(t, new BasicAuthenticator([{ username: 'gw1', password: PASSWORD }]));
  const auth = basicCredentials({ username: 'gw1', password: PASSWORD });
  await exchange(link({ auth }), link({ auth }), 'with basic auth');
  await logs.waitFor(/link negotiated/);
  assert.ok(
    logs.records.some((r) => r['principal'] === 'gw1'),
    'the node logs who linked',
  );

  await assert.rejects(link().start(), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'AUTH');
    assert.match(
      e.message,
      /requires credentials \(set slim.nodeAuth\): UNAUTHENTICATED: authentication failed: no credentials/,
    );
    return true;
  });
  const wrong = basicCredentials({ username: 'gw1', password: 'not-the-password' });
  await assert.rejects(link({ auth: wrong }).start(), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'AUTH');
    assert.match(
      e.message,
      /refused our basic credentials: UNAUTHENTICATED: authentication failed: wrong username or password/,
    );
    return true;
  });
  const other = basicCredentials({ username: 'gw2', password: PASSWORD });
  await assert.rejects(link({ auth: other }).start(), { code: 'AUTH' });
  await logs.waitFor(/refusing link: authentication failed: wrong username or password/);
  const text = JSON.stringify(logs.records);
  assert.ok(!text.includes(PASSWORD) && !text.includes('not-the-password'), 'no password in the logs');
  assert.ok(
    !text.includes(basicAuthorization('gw1', PASSWORD).slice(6)),
    'no encoded credential in the logs',
  );
});

test('a raw client gets UNAUTHENTICATED with a message, before any frame', async (t) => {
  const { node } = await mtlsNode(t, new BasicAuthenticator([{ username: 'gw1', password: PASSWORD }]));
  const client = new grpc.Client(
    `127.0.0.1:${node.port}`,
    grpc.credentials.createSsl(Buffer.from(ca), Buffer.from(mtls.key), Buffer.from(mtls.cert)),
  );
  t.after(() => client.close());
  const md = new grpc.Metadata();
  md.set('authorization', 'Basic !!!not-base64');
  const call = client.makeBidiStreamRequest(OPEN_CHANNEL_PATH, serializeFrame, deserializeFrame, md, {});
  call.on('error', () => {});
  const status = await new Promise<grpc.StatusObject>((r) => call.on('status', r));
  assert.equal(status.code, grpc.status.UNAUTHENTICATED);
  assert.match(status.details, /authentication failed: credentials are not Basic/);
});

test('bearer token file: sent on connect, read again after rotation, refused when unknown', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'slim-token-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'node-token');
  let accepted = 'token-one';
  const seen: (string | undefined)[] = [];
  const authenticator: LinkAuthenticator = {
    scheme: 'bearer',
    check(value) {
      seen.push(value);
      return value === `Bearer ${accepted}`
        ? { ok: true, principal: 'token holder' }
        : { ok: false, reason: 'unknown token' };
    },
  };
  const { link } = await mtlsNode(t, authenticator);
  writeFileSync(file, 'token-one\n');
  const creds = new BearerFileCredentials(file);
  const first = link({ auth: creds });
  await first.start();
  assert.equal(seen.at(-1), 'Bearer token-one', 'the trailing newline is not part of the token');

  // Rotation as Kubernetes does it: a new file moved into place.
  accepted = 'token-two';
  writeFileSync(join(dir, 'next'), 'token-two');
  renameSync(join(dir, 'next'), file);
  await link({ auth: creds }).start();
  assert.equal(seen.at(-1), 'Bearer token-two');

  writeFileSync(file, 'token-three');
  await assert.rejects(link({ auth: creds }).start(), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'AUTH');
    assert.match(
      e.message,
      /refused our bearer credentials: UNAUTHENTICATED: authentication failed: unknown token/,
    );
    return true;
  });
  rmSync(file);
  await assert.rejects(link({ auth: creds }).start(), /node token file .*node-token: cannot read it/);
  writeFileSync(file, 'two\nlines');
  await assert.rejects(link({ auth: creds }).start(), /not a bearer token/);
});

test('Basic authenticator: header forms, several users, malformed input', () => {
  const a = new BasicAuthenticator([
    { username: 'gw1', password: 'p1' },
    { username: 'gw2', password: 'p:2' },
  ]);
  assert.deepEqual(a.check(basicAuthorization('gw2', 'p:2')), { ok: true, principal: 'gw2' });
  assert.deepEqual(a.check(`basic ${Buffer.from('gw1:p1').toString('base64')}`), {
    ok: true,
    principal: 'gw1',
  });
  assert.equal(a.check(basicAuthorization('gw1', 'p2')).ok, false);
  assert.equal(a.check(basicAuthorization('gw1', 'p1x')).ok, false);
  assert.equal(a.check('Bearer x').ok, false);
  assert.equal(a.check(`Basic ${Buffer.from('no-colon').toString('base64')}`).ok, false);
  assert.equal(a.check(undefined).ok, false);
  // The reference client's encoding: standard base64 of "user:password".
  assert.equal(basicAuthorization('username', 'password'), 'Basic dXNlcm5hbWU6cGFzc3dvcmQ=');
  assert.throws(() => basicCredentials({ username: '', password: 'x' }), { code: 'CONFIG' });
  assert.throws(() => new BasicAuthenticator([]), { code: 'CONFIG' });
});

test('a connection whose credentials were refused takes no more attempts and is closed', async (t) => {
  const logs = captureLogs('debug');
  const node = await SlimNode.create({
    listen: '127.0.0.1:0',
    auth: new BasicAuthenticator([{ username: 'gw1', password: PASSWORD }]),
    logger: logs.logger,
  });
  t.after(() => node.close());
  const session = http2.connect(`http://127.0.0.1:${node.port}`);
  session.on('error', () => {});
  t.after(() => session.destroy());
  const closed = new Promise<void>((r) => session.once('close', () => r()));
  const attempt = (password: string) =>
    new Promise<{ status: string | undefined; message: string | undefined }>((resolve) => {
      const req = session.request(
        {
          ':method': 'POST',
          ':path': OPEN_CHANNEL_PATH,
          'content-type': 'application/grpc',
          te: 'trailers',
          authorization: basicAuthorization('gw1', password),
        },
        { endStream: false },
      );
      req.on('error', () => {});
      req.on('response', (h) => {
        if (h['grpc-status'] !== undefined)
          resolve({
            status: String(h['grpc-status']),
            message: decodeURIComponent(String(h['grpc-message'])),
          });
      });
      req.on('trailers', (h) =>
        resolve({ status: String(h['grpc-status']), message: decodeURIComponent(String(h['grpc-message'])) }),
      );
      req.on('close', () => resolve({ status: undefined, message: undefined }));
    });
  const first = await attempt('guess-1');
  assert.equal(first.status, String(grpc.status.UNAUTHENTICATED));
  assert.match(first.message!, /wrong username or password/);
  // Even the right password is not checked any more on this connection.
  const second = await attempt(PASSWORD);
  assert.equal(second.status, String(grpc.status.UNAUTHENTICATED));
  assert.match(second.message!, /credentials were already refused on this connection/);
  await closed;
  await logs.waitFor(/closing connection: credentials refused/);
  assert.equal(logs.messages().filter((m) => /refusing link: authentication failed/.test(m)).length, 1);
});
