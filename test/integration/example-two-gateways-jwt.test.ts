// Integration: examples/two-gateways-jwt as a user runs it, in a temp copy: keys.mjs writes the
// keys and the JWKS (refusing to overwrite them without --force), then `slim-gateway check`
// accepts both configurations and names the JWT identity; without the keys, check names the
// missing files with their config paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/paths.js';

const BIN = join(REPO_ROOT, 'bin', 'slim-gateway');
const EXAMPLE = join(REPO_ROOT, 'examples', 'two-gateways-jwt');

function run(args: string[]) {
  const r = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

test('two-gateways-jwt: the key script, then check passes on both sides', { timeout: 120_000 }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'example-jwt-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(EXAMPLE, dir, {
    recursive: true,
    filter: (src) => src !== join(EXAMPLE, 'keys') && !src.startsWith(`${join(EXAMPLE, 'keys')}/`),
  });
  assert.equal(existsSync(join(dir, 'keys')), false, 'no keys are committed');

  const missing = run([BIN, 'check', '--config', join(dir, 'server-side.yaml')]);
  assert.equal(missing.code, 1);
  assert.match(missing.out, /slim\.jwt\.keyFile: cannot read .*server-gateway\.pem/);
  assert.match(missing.out, /slim\.trust\.keyFiles\[0\]: cannot read .*peers\.jwks\.json/);

  const keys = run([join(dir, 'keys.mjs'), dir]);
  assert.equal(keys.code, 0, keys.out);
  assert.equal(statSync(join(dir, 'keys', 'server-gateway.pem')).mode & 0o077, 0, 'private keys are private');
  const jwks = JSON.parse(readFileSync(join(dir, 'keys', 'peers.jwks.json'), 'utf8')) as {
    keys: { kid: string; alg: string; d?: string }[];
  };
  assert.deepEqual(
    jwks.keys.map((k) => [k.kid, k.alg, k.d]),
    [
      ['acme/demo/server-gateway', 'ES256', undefined],
      ['acme/demo/client-gateway', 'ES256', undefined],
    ],
  );
  assert.equal(run([join(dir, 'keys.mjs'), dir]).code, 1, 'existing keys are kept');

  for (const [side, subject] of [
    ['server-side', 'acme/demo/server-gateway'],
    ['client-side', 'acme/demo/client-gateway'],
  ] as const) {
    const r = run([BIN, 'check', '--config', join(dir, `${side}.yaml`)]);
    assert.equal(r.code, 0, r.out);
    assert.match(
      r.out,
      new RegExp(`identity   JWT, subject ${subject}, issuer https://id.acme.example; trusts 1 key file`),
    );
    assert.doesNotMatch(r.out, /WARNING/);
  }
});
