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
import { logMatching, startCli, startRun, writeConfig } from '../support/gateway-process.js';
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

function stdio(input: string | null, env: Record<string, string>) {
  const r = spawnSync(
    process.execPath,
    [BIN, 'stdio', '--config', DEFAULT_CONFIG, '--route', '/mcp/weather'],
    {
      env: { ...process.env, SLIM_GATEWAY_LOG_FORMAT: 'json', ...env },
      encoding: 'utf8',
      timeout: 90_000,
      ...(input === null ? { stdio: ['ignore', 'pipe', 'pipe'] } : { input }),
    },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('stdio: without a running gateway it says which one to start', { timeout: 60_000 }, async () => {
  const r = stdio(null, { SLIM_LISTEN: `127.0.0.1:${await freePort()}` });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /stdio attaches to the node of a running `slim-gateway run`/);
});

test(
  'stdio: with stdin closed it says so; a request whose service never answers still gets an answer',
  { timeout: 180_000 },
  async (t) => {
    const node = `127.0.0.1:${await freePort()}`;
    await startRun(t, DEFAULT_CONFIG, {
      SLIM_LISTEN: node,
      HTTP_LISTEN: `127.0.0.1:${await freePort()}`,
      PLANNER_PORT: String(await freePort()),
    });
    const closed = stdio(null, { SLIM_LISTEN: node });
    assert.equal(closed.code, 0, closed.stderr);
    assert.equal(closed.stdout, '');
    assert.match(closed.stderr, /stdin ended before any MCP message arrived/);

    // Another identity secret than the running gateway's: the service never answers, and the one
    // request piped in gets an error answer naming why, rather than no output at all.
    const init = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    });
    const other = stdio(init + '\n', { SLIM_LISTEN: node, SLIM_SHARED_SECRET: SECRET });
    assert.equal(other.code, 0, other.stderr);
    const answers = other.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: number; error?: { message: string } });
    assert.equal(answers.length, 1, other.stdout);
    assert.equal(answers[0]!.id, 1);
    assert.match(answers[0]!.error!.message, /no reply|no answer/);
  },
);

test(
  'node: a taken address fails naming the option that moves it, with only log lines on stderr',
  { timeout: 60_000 },
  async (t) => {
    const taken = await otherProgram(t);
    const child = startCli(t, ['node', '--listen', `127.0.0.1:${taken}`]);
    assert.equal((await child.exit(60_000)).code, 1);
    const fatal = await child.waitForLog(logMatching(/^cannot start the SLIM node/), 'the failure');
    assert.match(fatal.msg, /--listen HOST:PORT picks another/);
    assert.deepEqual(
      child.stderrText.filter((l) => !l.startsWith('{')),
      [],
    );
  },
);
