// Component: `services[].spawn` runs the service's own process with the gateway: the service is up
// once the process accepts connections on its URL, restarted when the process dies, reported on
// /readyz when it cannot start, and stopped when the gateway shuts down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway } from '../../src/gateway/index.js';
import { memoryDeps } from '../support/memory-deps.js';
import { silentLogger } from '../../src/util/log.js';
import { SECRET, configFrom } from '../support/config.js';
import { fakeA2a, fakeMcp, fakeState } from '../support/fake-adapters.js';
import { http } from '../support/http.js';
import { freePort } from '../support/reference.js';
import { until } from '../support/until.js';

/** A hang guard for each test, not a timing assertion. */
const HANG_GUARD_MS = 120_000;

const AGENT = `
const { appendFileSync } = require('node:fs');
appendFileSync(process.env.PID_FILE, process.pid + '\\n');
require('node:http').createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');
`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test(
  'a spawned agent lives and dies with the gateway, and is restarted when it dies',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'slim-gw-spawn-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'agent.cjs'), AGENT);
    const pidFile = join(dir, 'pids');
    writeFileSync(pidFile, '');
    const pids = () => readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number);
    const port = await freePort();
    const config = configFrom(`
slim: { name: acme/demo/gw, sharedSecret: ${SECRET} }
http: { listen: 127.0.0.1:0 }
services:
  - name: acme/demo/agent
    a2a: { url: "http://127.0.0.1:${port}" }
    spawn: { command: "${process.execPath}", args: [agent.cjs], cwd: "${dir}", env: { PORT: ${port}, PID_FILE: "${pidFile}" } }
routes:
  - { path: /a2a/agent, a2a: acme/demo/agent }
`);
    const state = fakeState();
    const gw = await createGateway(config, memoryDeps({ mcp: fakeMcp(state), a2a: fakeA2a(state) }), {
      logger: silentLogger,
      processEnv: process.env,
    });
    t.after(() => gw.close(0));
    assert.ok(gw.readiness().ready, gw.readiness().reasons.join('; '));
    const [first] = pids();
    assert.ok(first && alive(first));
    assert.equal((await http(`http://127.0.0.1:${port}/`)).text, 'ok');
    assert.equal((await http(`${gw.url}/a2a/agent`, { method: 'POST', body: '{"method":"m"}' })).status, 200);

    process.kill(first, 'SIGKILL');
    await until(() => pids().length === 2 && gw.readiness().ready, 'the agent to be restarted');
    const second = pids()[1]!;
    assert.ok(alive(second));

    await gw.close(5_000);
    assert.ok(!alive(second), 'the agent is stopped with the gateway');
  },
);

test(
  'a service whose process cannot start is reported on /readyz and retried',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const port = await freePort();
    const config = configFrom(`
slim: { name: acme/demo/gw, sharedSecret: ${SECRET} }
http: { listen: 127.0.0.1:0 }
services:
  - name: acme/demo/agent
    a2a: { url: "http://127.0.0.1:${port}" }
    spawn: { command: /nonexistent/agent-binary }
`);
    const state = fakeState();
    const gw = await createGateway(config, memoryDeps({ mcp: fakeMcp(state), a2a: fakeA2a(state) }), {
      logger: silentLogger,
    });
    t.after(() => gw.close(0));
    const res = await http(`${gw.url}/readyz`);
    assert.equal(res.status, 503);
    assert.match(
      res.json<{ reasons: string[] }>().reasons[0]!,
      /^service acme\/demo\/agent retrying: cannot start \/nonexistent\/agent-binary: spawn \/nonexistent\/agent-binary ENOENT$/,
    );
  },
);
