// Integration: the commands as a user runs them (bin/slim-gateway in a child process): `check` on
// good and broken files (exit codes, every problem with its path and line), `--help` on each
// command, and `stdio`/`run` refusing bad input with a clear message on stderr (stdout untouched).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/paths.js';
import { SECRET } from '../support/config.js';

/** A hang guard for each test, not a timing assertion. */
const HANG_GUARD_MS = 120_000;

const BIN = join(REPO_ROOT, 'bin', 'slim-gateway');

function cli(args: string[], env: Record<string, string | undefined> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, SLIM_SHARED_SECRET: undefined, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempFile(t: { after: (fn: () => void) => void }, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'slim-gw-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, text);
  return file;
}

test('check: a valid file exits 0 with a summary of what it would serve', { timeout: HANG_GUARD_MS }, () => {
  const r = cli(['check', '--config', 'config/gateway.yaml']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], 'config/gateway.yaml: OK');
  assert.ok(lines.includes('  SLIM node  embedded node on 127.0.0.1:46357 (MLS on)'));
  assert.ok(lines.includes('  MCP route  http://127.0.0.1:8080/mcp/weather -> acme/demo/weather'));
  assert.ok(
    lines.some((l) => l.startsWith('  service    acme/demo/planner <- A2A agent http://127.0.0.1:9999')),
  );
  // The development secret default is called out.
  assert.ok(lines.some((l) => /WARNING: slim.sharedSecret is the built-in development default/.test(l)));
  const withSecret = cli(['check', '--config', 'config/gateway.yaml'], { SLIM_SHARED_SECRET: SECRET });
  assert.equal(withSecret.code, 0);
  // (Only a default port held by another program on this machine may still be warned about.)
  assert.deepEqual(
    withSecret.stdout.split('\n').filter((l) => l.includes('WARNING') && !l.includes(' is in use ')),
    [],
  );
});

test(
  'check: a broken file exits 1 listing every problem with file, line, column and path',
  { timeout: HANG_GUARD_MS },
  (t) => {
    const file = tempFile(
      t,
      `slim:
  name: acme/demo/gw
  sharedSecret: \${NOT_SET_ANYWHERE}
  mls: yes please
http:
  listen: 127.0.0.1:8080
  bearerTokens: [short]
services:
  - name: acme/demo/x
    mcp: { comand: node }
routes:
  - { path: /mcp/x, mcp: acme/demo/x }
  - { path: /mcp/x, mcp: acme/demo/y/z/w }
`,
    );
    const r = cli(['check', '--config', file]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, '');
    const lines = r.stdout.trimEnd().split('\n');
    assert.deepEqual(lines, [
      `${file}: 7 problems`,
      `  ${file}:3:3  slim.sharedSecret: environment variable NOT_SET_ANYWHERE is not set (\${NOT_SET_ANYWHERE} has no default)`,
      `  ${file}:4:3  slim.mls: must be true or false`,
      `  ${file}:7:18  http.bearerTokens[0]: a bearer token must be at least 32 characters (it has 5)`,
      `  ${file}:10:5  services[0].mcp: needs command (stdio) or url (HTTP)`,
      `  ${file}:10:12  services[0].mcp.comand: unknown key "comand" (did you mean "command"?)`,
      `  ${file}:13:7  routes[1].path: duplicate route path "/mcp/x" (also routes[0])`,
      `  ${file}:13:21  routes[1].mcp: SLIM name "acme/demo/y/z/w" must be org/namespace/app`,
    ]);
  },
);

test('check: a missing file and missing options are reported, not thrown', { timeout: HANG_GUARD_MS }, () => {
  const missing = cli(['check', '--config', 'does/not/exist.yaml']);
  assert.equal(missing.code, 1);
  assert.match(
    missing.stdout,
    /^does\/not\/exist.yaml: 1 problem\n {2}does\/not\/exist.yaml {2}cannot read the file: ENOENT/,
  );
  const usage = cli(['check']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--config FILE is required/);
  assert.match(usage.stderr, /usage: slim-gateway check --config FILE/);
  const typo = cli(['check', '--confg', 'x']);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /unknown option --confg/);
});

test('--help on every command, and the command list', { timeout: HANG_GUARD_MS }, () => {
  for (const [cmd, usage] of [
    ['run', 'usage: slim-gateway run [--config FILE]'],
    ['stdio', 'usage: slim-gateway stdio --config FILE --route PATH'],
    ['check', 'usage: slim-gateway check --config FILE'],
  ] as const) {
    const r = cli([cmd, '--help']);
    assert.equal(r.code, 0);
    assert.ok(r.stdout.startsWith(usage), r.stdout);
  }
  // Through the bin, that is the bundle: every command of src/cli/commands is there and loads.
  const all = cli(['--help']);
  const commands = readdirSync(join(REPO_ROOT, 'src', 'cli', 'commands'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3));
  assert.ok(commands.length >= 5, commands.join());
  for (const cmd of commands) {
    assert.match(all.stdout, new RegExp(`^  ${cmd} +\\S`, 'm'));
    const one = cli([cmd, '--help']);
    assert.equal(one.code, 0, `${cmd} --help`);
    assert.ok(one.stdout.startsWith(`usage: slim-gateway ${cmd}`), one.stdout);
  }
});

test(
  'run: an invalid configuration exits 1 listing its problems on stderr',
  { timeout: HANG_GUARD_MS },
  (t) => {
    const file = tempFile(t, `slim: { name: acme/demo/gw, sharedSecret: ${SECRET}, mlss: true }\n`);
    const r = cli(['run', '--config', file]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const column = `slim: { name: acme/demo/gw, sharedSecret: ${SECRET}, `.length + 1;
    assert.equal(
      r.stderr,
      `${file}: 1 problem\n  ${file}:1:${column}  slim.mlss: unknown key "mlss" (did you mean "mls"?)\n`,
    );
  },
);

test(
  'stdio: stdout stays clean; an unknown or non-MCP route is an error on stderr',
  { timeout: HANG_GUARD_MS },
  (t) => {
    const file = tempFile(
      t,
      `slim: { name: acme/demo/gw, sharedSecret: ${SECRET} }
routes:
  - { path: /mcp/a, mcp: acme/demo/a }
  - { path: /a2a/b, a2a: acme/demo/b }
`,
    );
    const unknown = cli(['stdio', '--config', file, '--route', '/mcp/zzz']);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stdout, '');
    assert.match(unknown.stderr, /no route \/mcp\/zzz \(MCP routes in this file: \/mcp\/a\)/);
    const a2a = cli(['stdio', '--config', file, '--route', '/a2a/b']);
    assert.equal(a2a.code, 1);
    assert.equal(a2a.stdout, '');
    assert.match(a2a.stderr, /route \/a2a\/b is an A2A route; stdio speaks MCP/);
    const noRoute = cli(['stdio', '--config', file]);
    assert.equal(noRoute.code, 2);
    assert.match(noRoute.stderr, /--route PATH is required/);
  },
);
