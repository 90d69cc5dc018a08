// Unit: the identities a gateway builds from its configuration (src/gateway/identity.ts): with a
// shared secret, a peer with another secret is refused and the refusal logged with its reason
// and claimed name (once per minute, never the token), and the verified identity is the name the
// peer claims; with JWT, keys from a JWKS URL, one verifier shared by all apps, the subject as
// identity and token id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { LoggedVerifier, SharedSecretIdentity } from '../../src/slim/auth/index.js';
import type { IdentityConfig } from '../../src/config/types.js';
import { GatewayIdentities } from '../../src/gateway/identity.js';
import { isGatewayError } from '../../src/util/errors.js';
import { captureLogs } from '../support/log-capture.js';

const SECRET = 'a-very-long-shared-secret-0123456789abcdef';

test('shared secret: a wrong secret is refused and logged once a minute, without the token', async () => {
  const logs = captureLogs('info');
  const ids = new GatewayIdentities();
  const ours = await ids.forApp({ kind: 'sharedSecret', secret: SECRET }, 'acme/demo/gw', logs.logger);
  const peer = new SharedSecretIdentity({ baseName: 'acme/demo/peer', secret: SECRET });
  const claims = ours.verify(peer.token());
  assert.equal(claims.identity, 'acme/demo/peer');
  assert.match(claims.sub, /^acme\/demo\/peer_[A-Za-z0-9]{8}$/);
  const mallory = new SharedSecretIdentity({ baseName: 'acme/demo/mallory', secret: 'x'.repeat(40) });
  for (let i = 0; i < 5; i++)
    assert.throws(
      () => ours.verify(mallory.token()),
      (e: unknown) => isGatewayError(e, 'AUTH'),
    );
  const refusals = logs.records.filter((r) => r['msg'] === 'peer identity refused');
  assert.equal(refusals.length, 1, 'rate-limited per reason and subject');
  assert.match(String(refusals[0]!['reason']), /wrong shared secret/);
  assert.match(String(refusals[0]!['claimedSubject']), /^acme\/demo\/mallory_/);
  assert.doesNotMatch(
    JSON.stringify(logs.records),
    /:[A-Za-z0-9_-]{43}"/,
    'no MAC, hence no token, in the log',
  );

  // After a minute the same refusal is logged again.
  let now = 0;
  const timed = new LoggedVerifier(ours, logs.logger, () => now);
  assert.throws(() => timed.verify(mallory.token()));
  now += 61_000;
  assert.throws(() => timed.verify(mallory.token()));
  assert.equal(logs.records.filter((r) => r['msg'] === 'peer identity refused').length, 3);
});

test('JWT: keys from a JWKS URL, one verifier for every app, the subject as identity', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-identity-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  writeFileSync(join(dir, 'gw.pem'), await exportPKCS8(privateKey));
  let fetches = 0;
  const server = createServer((_req, res) => {
    fetches++;
    void exportJWK(publicKey).then((jwk) =>
      res.end(JSON.stringify({ keys: [{ ...jwk, alg: 'ES256', kid: 'k1' }] })),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const config: IdentityConfig = {
    kind: 'jwt',
    keyFile: join(dir, 'gw.pem'),
    issuer: 'https://id.acme.example',
    audience: ['slim'],
    subject: 'acme/demo/gw',
    lifetimeSeconds: 3600,
    trust: {
      keyFiles: [],
      jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
      issuers: ['https://id.acme.example'],
      audience: 'slim',
    },
  };
  const logs = captureLogs('info');
  const ids = new GatewayIdentities();
  const [a, b] = await Promise.all([
    ids.forApp(config, 'acme/demo/gw', logs.logger),
    ids.forApp(config, 'acme/demo/weather', logs.logger),
  ]);
  assert.equal(fetches, 1, 'one verifier, one JWKS fetch');
  // As the reference: the instance id is the hash of the subject; the apps' names differ by app.
  assert.equal(a.tokenId, 'acme/demo/gw');
  assert.equal(b.tokenId, 'acme/demo/gw');
  assert.notDeepEqual(a.signingKey.publicKey, b.signingKey.publicKey, 'each app its own MLS key');
  const claims = b.verify(a.token());
  assert.equal(claims.identity, 'acme/demo/gw');
  assert.equal(claims.pubkey, Buffer.from(a.signingKey.publicKey).toString('base64'));
  assert.equal(claims.iss, 'https://id.acme.example');
  assert.deepEqual(claims.aud, ['slim']);

  // A key file that cannot be read fails the app, and is read again at the next attempt.
  const broken = new GatewayIdentities();
  const missing = {
    ...config,
    trust: { ...config.trust, jwksUrl: undefined, keyFiles: [join(dir, 'later.json')] },
  } as IdentityConfig;
  await assert.rejects(broken.forApp(missing, 'acme/demo/gw', logs.logger), /cannot read/);
  writeFileSync(join(dir, 'later.json'), JSON.stringify({ ...(await exportJWK(publicKey)), alg: 'ES256' }));
  const fixed = await broken.forApp(missing, 'acme/demo/gw', logs.logger);
  assert.equal(fixed.verify(a.token()).sub, 'acme/demo/gw');
});
