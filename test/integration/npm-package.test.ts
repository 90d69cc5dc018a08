// test-file-timeout-ms: 600000
// slim-gateway installed the way Node CLIs are: `npm pack` of this checkout (its built dist/, as
// `prepare` leaves it), then `npm install -g --prefix <tmp>` of the tarball (dependencies from the
// npm cache, else the registry; no install script, nothing compiled), then the installed
// `slim-gateway` used from a folder that is not the checkout: --version, check, `run` without
// --config refused with what to do, and `run` of the shipped container configuration (an embedded
// node and the probes, production dependencies only) until /healthz and /readyz answer and the
// `healthcheck` command agrees; SIGTERM stops it with exit 0.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { Child } from '../support/child.js';
import { logMatching } from '../support/gateway-process.js';
import { http } from '../support/http.js';
import { REPO_ROOT } from '../support/paths.js';
import { SECRET } from '../support/config.js';
import { freePort } from '../support/reference.js';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  private?: boolean;
  scripts: Record<string, string>;
};
let dir: string;
let prefix: string;
let tarball: string;
/** This Node.js first on PATH, as the installed bin's `#!/usr/bin/env node` needs. */
const env = {
  ...process.env,
  PATH: `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}`,
  npm_config_prefer_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
};

before(
  () => {
    dir = mkdtempSync(join(tmpdir(), 'slim-gw-pkg-'));
    prefix = join(dir, 'global');
    // The tree is built (the test runs from dist/); `prepare` would build the same dist again.
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], {
      cwd: REPO_ROOT,
      env,
      stdio: 'ignore',
    });
    tarball = join(
      dir,
      readdirSync(dir).find((f) => f.endsWith('.tgz'))!,
    );
    execFileSync('npm', ['install', '-g', '--prefix', prefix, tarball], { cwd: dir, env, stdio: 'ignore' });
  },
  { timeout: 500_000 },
);
after(() => rmSync(dir, { recursive: true, force: true }));

const installed = () => join(prefix, 'lib', 'node_modules', pkg.name);
const bin = () => join(prefix, 'bin', 'slim-gateway');

function cli(args: string[], extra: Record<string, string> = {}) {
  const r = spawnSync(bin(), args, {
    cwd: dir,
    env: { ...env, ...extra },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

test('the package is publishable and ships built code, no tests, no source maps', () => {
  assert.notEqual(pkg.private, true);
  const root = installed();
  assert.ok(existsSync(join(root, 'dist', 'bundle', 'main.js')), 'the bundle the bin runs');
  assert.ok(!existsSync(join(root, 'dist', 'src')), 'the bundle, not the compiled modules');
  assert.ok(existsSync(join(root, 'dist', 'examples', 'clients', 'mcp-call.js')));
  assert.ok(!existsSync(join(root, 'dist', 'test')));
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
  assert.ok(!files.some((f) => f.endsWith('.map')), 'no source maps');
  // Installing ran nothing that needs a devDependency: no TypeScript, no install script.
  assert.ok(!existsSync(join(root, 'node_modules', 'typescript')));
  const installedPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  for (const hook of ['preinstall', 'install', 'postinstall'])
    assert.equal(installedPkg.scripts?.[hook], undefined, hook);
});

test('the installed slim-gateway: --version and check, from any folder', () => {
  const version = cli(['--version']);
  assert.equal(version.code, 0, version.out);
  assert.equal(version.out.trim(), pkg.version);
  const check = cli(
    ['check', '--config', join(installed(), 'examples', 'two-gateways', 'client-side.yaml')],
    {
      SLIM_SHARED_SECRET: SECRET,
    },
  );
  assert.equal(check.code, 0, check.out);
  assert.match(check.out, /MCP route {2}http:\/\/127\.0\.0\.1:8080\/mcp\/weather -> acme\/demo\/weather/);
  const bare = cli(['run']);
  assert.equal(bare.code, 2);
  assert.match(bare.out, /no --config given and no config\/gateway\.yaml in this folder/);
});

test('the installed slim-gateway runs a configuration until stopped', { timeout: 180_000 }, async (t) => {
  const web = `127.0.0.1:${await freePort()}`;
  const vars = {
    SLIM_SHARED_SECRET: SECRET,
    SLIM_GATEWAY_TOKEN: `${SECRET}-token`,
    SLIM_LISTEN: `127.0.0.1:${await freePort()}`,
    HTTP_LISTEN: web,
  };
  const config = join(installed(), 'config', 'container.yaml');
  const child = new Child(
    bin(),
    ['run', '--config', config],
    { ...env, ...vars, SLIM_GATEWAY_LOG_FORMAT: 'json' },
    { cwd: dir },
  );
  t.after(() => child.kill());
  const ready = await child.waitForLog(logMatching(/^slim-gateway \S+ ready$/), 'ready', 90_000);
  const url = ready['url'] as string;
  assert.equal(url, `http://${web}`);
  assert.equal((await http(`${url}/healthz`)).status, 200);
  assert.equal((await http(`${url}/readyz`)).status, 200);
  const probe = cli(['healthcheck', '--config', config], vars);
  assert.equal(probe.code, 0, probe.out);

  child.proc.kill('SIGTERM');
  assert.equal((await child.exit(60_000)).code, 0);
});
