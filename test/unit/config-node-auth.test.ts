// Unit: the configuration of authenticated links and of the embedded node's listener
// (slim.nodeAuth, slim.server): what a user writes, what the gateway gets, and the errors for what
// cannot work (JWT without slim.jwt or slim.trust, server on a remote node, a short node password).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { parseConfig } from '../../src/config/parse.js';
import { DEFAULTS } from '../../src/config/schema.js';
import { riskWarnings } from '../../src/gateway/process.js';
import { DEFAULT_NODE_LIMITS } from '../../src/slim/node/limits.js';
import { SECRET, configFrom, problemsOf } from '../support/config.js';

const PASSWORD = 'node-password-0123456789-0123456789';
const remote = (extra: string) =>
  `slim: { node: "https://node.example:46357", name: acme/demo/gw, sharedSecret: ${SECRET}, ${extra} }`;
const embedded = (extra: string) => `slim: { name: acme/demo/gw, sharedSecret: ${SECRET}, ${extra} }`;
const messages = (yaml: string, env: Record<string, string> = {}) =>
  problemsOf(yaml, env).map((p) => `${p.path}: ${p.message}`);

test('nodeAuth basic and bearer resolve; the token file relative to the config file', () => {
  const basic = configFrom(remote('nodeAuth: { basic: { username: gw1, password: ${NODE_PASSWORD} } }'), {
    NODE_PASSWORD: 'pw',
  });
  assert.deepEqual(basic.slim.nodeAuth, { kind: 'basic', username: 'gw1', password: 'pw' });
  const bearer = configFrom(remote('nodeAuth: { bearer: { tokenFile: secrets/node-token } }'));
  assert.deepEqual(bearer.slim.nodeAuth, { kind: 'bearer', tokenFile: '/srv/gw/secrets/node-token' });
  assert.equal(configFrom(remote('')).slim.nodeAuth, undefined);
});

test('nodeAuth needs exactly one scheme; JWT needs slim.jwt', () => {
  assert.match(
    messages(remote('nodeAuth: { basic: { username: a, password: b }, bearer: { tokenFile: t } }')).join(
      '\n',
    ),
    /nodeAuth needs exactly one of basic, bearer, jwt \(found basic, bearer\)/,
  );
  assert.match(
    messages(remote('nodeAuth: {}')).join('\n'),
    /nodeAuth needs exactly one of basic, bearer, jwt/,
  );
  assert.deepEqual(messages(remote('nodeAuth: { jwt: true }')), [
    'slim.nodeAuth.jwt: needs slim.jwt: the identity whose tokens the link presents',
  ]);
  assert.match(
    messages(remote('nodeAuth: { basic: { username: "a:b", password: c } }')).join('\n'),
    /cannot contain ":"/,
  );
});

test("the configuration defaults of the node limits are the node's own", () => {
  assert.deepEqual(DEFAULTS.node, DEFAULT_NODE_LIMITS);
});

test('slim.server: TLS files read, Basic users, limits with their defaults', () => {
  const files: Record<string, string> = {
    '/srv/gw/certs/node.pem': '-----BEGIN CERTIFICATE-----\nnode\n',
    '/srv/gw/certs/node.key': '-----BEGIN PRIVATE KEY-----\nkey\n',
    '/srv/gw/certs/ca.pem': '-----BEGIN CERTIFICATE-----\nca\n',
  };
  const r = parseConfig(
    embedded(`server: {
      tls: { certFile: certs/node.pem, keyFile: certs/node.key, clientCaFile: certs/ca.pem },
      auth: { basic: [{ username: gw1, password: \${NODE_PASSWORD} }] },
      maxConnections: 50 }`),
    {
      env: { NODE_PASSWORD: PASSWORD },
      baseDir: '/srv/gw',
      readFile: (p) => {
        const f = files[p];
        if (f === undefined) throw new Error('ENOENT');
        return new TextEncoder().encode(f);
      },
    },
  );
  assert.ok(r.ok, r.ok ? '' : r.problems.map((p) => p.message).join('\n'));
  const node = r.config.slim.node;
  assert.equal(node.kind, 'embedded');
  if (node.kind !== 'embedded') return;
  assert.match(new TextDecoder().decode(node.server.tls!.cert), /node/);
  assert.match(new TextDecoder().decode(node.server.tls!.clientCa!), /ca/);
  assert.deepEqual(node.server.auth, { kind: 'basic', users: [{ username: 'gw1', password: PASSWORD }] });
  assert.deepEqual(node.server.limits, { ...DEFAULT_NODE_LIMITS, maxConnections: 50 });
});

test('slim.server problems: remote node, short password, JWT without trust, zero limits, unreadable files', () => {
  assert.match(
    messages(remote('server: { maxConnections: 5 }')).join('\n'),
    /slim.server: server applies only to node: embedded/,
  );
  assert.match(
    messages(embedded('server: { auth: { basic: [{ username: gw1, password: short }] } }')).join('\n'),
    /a node password must be at least 32 characters \(it has 5\)/,
  );
  assert.deepEqual(messages(embedded('server: { auth: { jwt: true } }')), [
    'slim.server.auth.jwt: needs slim.trust (and slim.jwt): whose tokens the node accepts',
  ]);
  assert.match(
    messages(embedded('server: { maxSubscriptions: 0 }')).join('\n'),
    /slim.server.maxSubscriptions/,
  );
  assert.match(
    messages(
      embedded('server: { tls: { certFile: /nonexistent/node.pem, keyFile: /nonexistent/node.key } }'),
    ).join('\n'),
    /slim.server.tls.certFile: cannot read \/nonexistent\/node.pem/,
  );
});

test('slim.tls is accepted with an embedded node that serves TLS (for processes attaching to it)', () => {
  const pem = new TextEncoder().encode('-----BEGIN CERTIFICATE-----\nx\n');
  const r = parseConfig(
    embedded('tls: { caFile: ca.pem }, server: { tls: { certFile: n.pem, keyFile: n.key } }'),
    { env: {}, baseDir: '/srv/gw', readFile: () => pem },
  );
  assert.ok(r.ok, r.ok ? '' : r.problems.map((p) => p.message).join('\n'));
  assert.match(
    messages(embedded('tls: { caFile: /etc/ca.pem }')).join('\n'),
    /tls applies only to an https:\/\/ node URL/,
  );
});

test('JWT on links: nodeAuth presents the slim.jwt identity, server.auth checks with slim.trust', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-node-jwt-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  writeFileSync(join(dir, 'gw.pem'), await exportPKCS8(privateKey));
  writeFileSync(join(dir, 'gw.pub.pem'), await exportSPKI(publicKey));
  const r = parseConfig(
    `slim:
  name: acme/demo/gw
  jwt: { keyFile: gw.pem, issuer: https://id.acme.example, audience: [slim] }
  trust: { keyFiles: [gw.pub.pem], issuers: [https://id.acme.example], audience: slim }
  nodeAuth: { jwt: true }
  server: { auth: { jwt: true } }
`,
    { env: {}, baseDir: dir },
  );
  assert.ok(r.ok, r.ok ? '' : r.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  const { identity, nodeAuth, node } = r.config.slim;
  assert.deepEqual(nodeAuth, { kind: 'jwt', identity });
  assert.equal(node.kind, 'embedded');
  if (node.kind !== 'embedded' || identity.kind !== 'jwt') return;
  assert.deepEqual(node.server.auth, { kind: 'jwt', identity });
  assert.deepEqual(identity.trust.keyFiles, [join(dir, 'gw.pub.pem')]);
});

test('warnings: an embedded node reachable from the network without auth or TLS; nodeAuth over http://', () => {
  const open = configFrom(embedded('listen: "0.0.0.0:46357"'));
  const w = riskWarnings(open);
  assert.ok(w.some((x) => /slim.server.auth is not set: anyone who can reach the embedded node/.test(x)));
  assert.ok(w.some((x) => /slim.server.tls is not set: links are not encrypted/.test(x)));
  assert.deepEqual(riskWarnings(configFrom(embedded(''))), [], 'loopback: no warning');
  const plain = configFrom(
    `slim: { node: "http://node.example:46357", name: acme/demo/gw, sharedSecret: ${SECRET}, ` +
      'nodeAuth: { basic: { username: gw1, password: pw } } }',
  );
  assert.ok(riskWarnings(plain).some((x) => /slim.nodeAuth is sent to an http:\/\/ node/.test(x)));
  assert.deepEqual(
    riskWarnings(configFrom(remote('nodeAuth: { basic: { username: gw1, password: pw } }'))),
    [],
  );
});
