// Unit: the JWT identity in the configuration (slim.jwt, slim.trust): a valid file resolves to the
// identity the gateway builds, and every problem a user can make is reported with its path —
// both identities or none, key files that cannot be read or hold the wrong kind of key, a token
// file, trust without keys, jwt without trust — plus warnings for settings peers would refuse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { parseConfig } from '../../src/config/parse.js';
import { riskWarnings } from '../../src/gateway/process.js';
import { configSummaryLines } from '../../src/gateway/summary.js';
import { SECRET } from '../support/config.js';

async function keyDir(t: { after: (fn: () => void) => void }): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-jwt-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  writeFileSync(join(dir, 'gateway.pem'), await exportPKCS8(privateKey));
  writeFileSync(join(dir, 'gateway.pub.pem'), await exportSPKI(publicKey));
  writeFileSync(
    join(dir, 'peers.jwks.json'),
    JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), alg: 'ES256', kid: 'acme/demo/gw' }] }),
  );
  return dir;
}

const JWT = `slim:
  name: acme/demo/gw
  jwt:
    keyFile: gateway.pem
    issuer: https://id.acme.example
    audience: [slim]
  trust:
    keyFiles: [peers.jwks.json, gateway.pub.pem]
    jwksUrl: https://id.acme.example/.well-known/jwks.json
    issuers: [https://id.acme.example]
    audience: slim
`;

function problems(yaml: string, baseDir: string): string[] {
  const r = parseConfig(yaml, { env: {}, baseDir });
  return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`);
}

test('a JWT identity resolves with absolute paths and the subject defaulting to slim.name', async (t) => {
  const dir = await keyDir(t);
  const r = parseConfig(JWT, { env: {}, baseDir: dir });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  assert.deepEqual(r.config.slim.identity, {
    kind: 'jwt',
    keyFile: join(dir, 'gateway.pem'),
    issuer: 'https://id.acme.example',
    audience: ['slim'],
    subject: 'acme/demo/gw',
    lifetimeSeconds: 3600,
    trust: {
      keyFiles: [join(dir, 'peers.jwks.json'), join(dir, 'gateway.pub.pem')],
      jwksUrl: 'https://id.acme.example/.well-known/jwks.json',
      issuers: ['https://id.acme.example'],
      audience: 'slim',
    },
  });
  assert.deepEqual(riskWarnings(r.config), []);
  assert.ok(
    configSummaryLines(r.config).includes(
      'identity   JWT, subject acme/demo/gw, issuer https://id.acme.example; trusts 2 key file(s) and https://id.acme.example/.well-known/jwks.json',
    ),
  );
});

test('identity problems are reported with their config paths', async (t) => {
  const dir = await keyDir(t);
  assert.deepEqual(problems(`slim: { name: acme/demo/gw }`, dir), [
    'slim.sharedSecret: an identity is required: sharedSecret (development) or jwt',
  ]);
  assert.deepEqual(
    problems(JWT.replace('  name: acme/demo/gw', `  name: acme/demo/gw\n  sharedSecret: ${SECRET}`), dir),
    ['slim.jwt: use either sharedSecret (development) or jwt, not both'],
  );
  assert.deepEqual(problems(`slim:\n  name: acme/demo/gw\n  jwt: { keyFile: gateway.pem }\n`, dir), [
    'slim.trust: required with jwt: whose tokens this gateway accepts',
  ]);
  assert.deepEqual(
    problems(
      `slim:\n  name: acme/demo/gw\n  jwt: { keyFile: missing.pem }\n  trust: { keyFiles: [nope.json] }\n`,
      dir,
    ),
    [
      `slim.jwt.keyFile: cannot read ${join(dir, 'missing.pem')}: ENOENT: no such file or directory, open '${join(dir, 'missing.pem')}'`,
      `slim.trust.keyFiles[0]: cannot read ${join(dir, 'nope.json')}: ENOENT: no such file or directory, open '${join(dir, 'nope.json')}'`,
    ],
  );
  // The wrong kind of key, each way round.
  const swapped = problems(
    `slim:\n  name: acme/demo/gw\n  jwt: { keyFile: gateway.pub.pem }\n  trust: { keyFiles: [gateway.pem] }\n`,
    dir,
  );
  assert.equal(swapped.length, 1);
  assert.match(swapped[0]!, /^slim\.jwt\.keyFile: .*the PEM holds no private key/);
  writeFileSync(join(dir, 'junk.json'), '{"keys": [{"kty": "oct", "k": "AAAA"}]}');
  assert.match(
    problems(
      `slim:\n  name: acme/demo/gw\n  jwt: { keyFile: gateway.pem }\n  trust: { keyFiles: [junk.json] }\n`,
      dir,
    )[0]!,
    /^slim\.trust\.keyFiles\[0\]: .*symmetric \(oct\) keys are not accepted/,
  );
  assert.deepEqual(
    problems(
      `slim:\n  name: acme/demo/gw\n  jwt: { keyFile: gateway.pem, tokenFile: t.jwt }\n  trust: { jwksUrl: "ftp://x" }\n`,
      dir,
    ).sort(),
    [
      `slim.jwt.tokenFile: cannot read ${join(dir, 't.jwt')}: ENOENT: no such file or directory, open '${join(dir, 't.jwt')}'`,
      'slim.jwt: give exactly one of keyFile (we sign our tokens) or tokenFile (an IdP issued it)',
      'slim.trust.jwksUrl: jwksUrl must be an http:// or https:// URL',
    ],
  );
  assert.deepEqual(
    problems(
      `slim:\n  name: acme/demo/gw\n  sharedSecret: ${SECRET}\n  trust: { issuers: [x] }\n`,
      dir,
    ).sort(),
    [
      'slim.trust: give keyFiles or a jwksUrl: the keys whose tokens this gateway accepts',
      'slim.trust: trust applies only with jwt',
    ],
  );
  // A token from an IdP binds no key we hold: refused as a SLIM identity, with the reason.
  writeFileSync(join(dir, 'idp.jwt'), 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln');
  assert.match(
    problems(
      `slim:\n  name: acme/demo/gw\n  jwt: { tokenFile: idp.jwt }\n  trust: { keyFiles: [peers.jwks.json] }\n`,
      dir,
    )[0]!,
    /^slim\.jwt\.tokenFile: .*no pubkey claim/,
  );
});

test('warnings: an audience or issuer that peers configured alike would refuse; a JWKS in the clear', async (t) => {
  const dir = await keyDir(t);
  const r = parseConfig(
    JWT.replace('audience: [slim]', 'audience: [other]')
      .replace('issuer: https://id.acme.example', 'issuer: https://elsewhere.example')
      .replace('https://id.acme.example/.well-known', 'http://id.acme.example/.well-known'),
    { env: {}, baseDir: dir },
  );
  assert.ok(r.ok);
  assert.equal(riskWarnings(r.config).length, 3);
});
