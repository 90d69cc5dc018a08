// What a newcomer runs into, as they see it (bin/slim-gateway in a child process): a mistyped key
// gets a suggestion; an address another program holds is named with the setting and the variable
// that moves it, by `check` before starting and by `run` when it fails (and nothing but the
// gateway's own log lines reach stderr); a spawned service whose port another program answers on
// is refused with that reason and retried with a growing delay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { logMatching, startCli, writeConfig } from '../support/gateway-process.js';
import { REPO_ROOT } from '../support/paths.js';
import { SECRET } from '../support/config.js';
import { freePort } from '../support/reference.js';

const BIN = join(REPO_ROOT, 'bin', 'slim-gateway');
const DEFAULT_CONFIG = join(REPO_ROOT, 'config', 'gateway.yaml');

function check(file: string, env: Record<string, string>) {
  const r = spawnSync(process.execPath, [BIN, 'check', '--config', file], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Another program on 127.0.0.1: an HTTP server answering 404 to everything. */
async function otherProgram(t: { after: (fn: () => Promise<void>) => void }): Promise<number> {
  const server: Server = createServer((_req, res) => res.writeHead(404).end('not here'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  return (server.address() as { port: number }).port;
}

test('check: an unknown key names the key it was probably meant to be', { timeout: 60_000 }, (t) => {
  const file = writeConfig(
    t,
    `slim:
  name: acme/demo/gw
  sharedSecret: ${SECRET}
  lisen: 127.0.0.1:46357
http:
  allowNonLoopBack: false
routes:
  - path: /mcp/x
    mcp: acme/demo/x
    timeout: 5000
    colour: blue
`,
  );
  const r = check(file, {});
  assert.equal(r.code, 1);
  const lines = r.stdout.split('\n');
  assert.ok(
    lines.some((l) => l.endsWith('slim.lisen: unknown key "lisen" (did you mean "listen"?)')),
    r.stdout,
  );
  assert.ok(
    lines.some((l) =>
      l.endsWith('http.allowNonLoopBack: unknown key "allowNonLoopBack" (did you mean "allowNonLoopback"?)'),
    ),
    r.stdout,
  );
  assert.ok(
    lines.some((l) => l.endsWith('routes[0].timeout: unknown key "timeout" (did you mean "timeoutMs"?)')),
    r.stdout,
  );
  assert.ok(
    lines.some((l) => l.endsWith('routes[0].colour: unknown key "colour"')),
    r.stdout,
  );
});

test('check: an address another program holds is named with its variable', { timeout: 60_000 }, async (t) => {
  const taken = await otherProgram(t);
  const env = {
    SLIM_SHARED_SECRET: SECRET,
    SLIM_LISTEN: `127.0.0.1:${await freePort()}`,
    PLANNER_PORT: String(await freePort()),
  };
  const free = check(DEFAULT_CONFIG, { ...env, HTTP_LISTEN: `127.0.0.1:${await freePort()}` });
  assert.equal(free.code, 0, free.stdout);
  assert.ok(!free.stdout.includes('WARNING'), free.stdout);

  const r = check(DEFAULT_CONFIG, { ...env, HTTP_LISTEN: `127.0.0.1:${taken}` });
  assert.equal(r.code, 0, 'the file is valid');
  assert.match(
    r.stdout,
    new RegExp(`WARNING: 127\\.0\\.0\\.1:${taken} \\(http\\.listen\\) is in use .*HTTP_LISTEN`),
  );
  assert.match(r.stdout, /HTTP_LISTEN/);
});

test(
  'run: a taken node address fails with the variable to set, and only log lines on stderr',
  { timeout: 60_000 },
  async (t) => {
    const taken = await otherProgram(t);
    const child = startCli(t, ['run', '--config', DEFAULT_CONFIG], {
      SLIM_LISTEN: `127.0.0.1:${taken}`,
      HTTP_LISTEN: `127.0.0.1:${await freePort()}`,
      PLANNER_PORT: String(await freePort()),
    });
    const { code } = await child.exit(60_000);
    assert.equal(code, 1);
    const hint = await child.waitForLog(logMatching(/is in use/), 'the hint');
    assert.match(hint.msg, new RegExp(`^127\\.0\\.0\\.1:${taken} \\(slim\\.listen\\) .*SLIM_LISTEN`));
    const strays = child.stderrText.filter((l) => !l.startsWith('{'));
    assert.deepEqual(strays, [], 'nothing but JSON log lines (grpc-js writes no line of its own)');
  },
);

test(
  'run: a spawned agent whose port another program answers on is refused, retried with a growing delay',
  { timeout: 120_000 },
  async (t) => {
    const taken = await otherProgram(t);
    const child = startCli(t, ['run', '--config', DEFAULT_CONFIG], {
      SLIM_LISTEN: `127.0.0.1:${await freePort()}`,
      HTTP_LISTEN: `127.0.0.1:${await freePort()}`,
      PLANNER_PORT: String(taken),
    });
    const isRetry = (l: { msg: string; [k: string]: unknown }) =>
      l.msg === 'failed; will retry' && l['unit'] === 'service acme/demo/planner';
    await child.waitForLog((l) => isRetry(l) && Number(l['retryInMs']) > 500, 'the second retry', 60_000);
    const retries = child.logs.filter(isRetry);
    assert.match(
      String(retries[0]!['err']),
      new RegExp(`127\\.0\\.0\\.1:${taken} already accepts connections`),
    );
    assert.deepEqual(
      retries.slice(0, 2).map((l) => l['retryInMs']),
      [500, 1000],
    );
    // The agent process was never started against the taken port.
    assert.ok(!child.logs.some((l) => /EADDRINUSE/.test(l.msg)));
  },
);
