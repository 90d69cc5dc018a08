// Integration: the gateway as a process (the `run` lifecycle on in-memory deps): it prints what it
// serves, reloads its file while running (and rejects an invalid change, keeping the old), exits 0
// on SIGTERM after in-flight calls finish, and exits at once on a second signal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/paths.js';
import { SECRET } from '../support/config.js';
import { Child } from '../support/child.js';
import type { LogLine } from '../support/child.js';
import { http } from '../support/http.js';
import { until } from '../support/until.js';

/** A hang guard for each test, not a timing assertion. */
const HANG_GUARD_MS = 120_000;

const FIXTURE = join(REPO_ROOT, 'dist', 'test', 'fixtures', 'gateway', 'memory-gateway.js');

const config = (routes: string, extra = '') => `
slim: { name: acme/demo/gateway, sharedSecret: ${SECRET} }
http: { listen: 127.0.0.1:0 }
services:
  - { name: acme/demo/weather, mcp: { command: node, args: [weather.js] } }
  - { name: acme/demo/planner, a2a: { url: http://127.0.0.1:2 } }
routes:
${routes}
${extra}`;

const ROUTE = '  - { path: /mcp/weather, mcp: acme/demo/weather }';
const rpc = (method: string) => JSON.stringify({ jsonrpc: '2.0', id: 1, method });

function startProcess(
  t: { after: (fn: () => void) => void },
  yaml: string,
  env: Record<string, string> = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'slim-gw-proc-'));
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, yaml);
  const child = new Child(process.execPath, [FIXTURE, file], env);
  t.after(() => {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  return { child, file };
}

const msg = (pattern: RegExp) => (l: LogLine) => pattern.test(l.msg);

test(
  'SIGTERM: the call in flight completes, then the process exits 0',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const { child } = startProcess(t, config(ROUTE), { RELEASE_ON_SIGTERM: '1' });
    const ready = await child.waitForLog(msg(/ready$/), 'ready');
    const url = ready['url'] as string;
    // The banner names the route's URL and the service's SLIM name.
    await child.waitForLog(
      (l) => l.msg.includes(`MCP route  ${url}/mcp/weather -> acme/demo/weather`),
      'route banner',
    );
    await child.waitForLog(
      (l) => l.msg.includes('service    acme/demo/weather <- MCP stdio server: node weather.js'),
      'service banner',
    );

    const call = http(`${url}/mcp/weather`, { method: 'POST', body: rpc('slow') });
    await until(
      async () =>
        (await http(`${url}/metrics`)).text.includes(
          'slim_gateway_http_requests_in_flight{route="/mcp/weather"} 1',
        ),
      'the call to be in flight',
    );
    child.proc.kill('SIGTERM');
    const res = await call;
    assert.equal(res.status, 200);
    assert.equal(res.json<{ result: { server: string } }>().result.server, 'acme/demo/weather');
    assert.deepEqual(await child.exit(), { code: 0, signal: null });
    assert.ok(child.logs.some((l) => l.msg === 'bye'));
    assert.deepEqual(child.stdout, [], 'logs go to stderr only');
  },
);

test(
  'a second signal exits at once, without waiting out the grace period',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const { child } = startProcess(t, config(ROUTE, 'shutdownGraceMs: 600000'));
    const url = (await child.waitForLog(msg(/ready$/), 'ready'))['url'] as string;
    const call = http(`${url}/mcp/weather`, { method: 'POST', body: rpc('slow') }).catch(() => 'cut');
    await until(
      async () =>
        (await http(`${url}/metrics`)).text.includes(
          'slim_gateway_http_requests_in_flight{route="/mcp/weather"} 1',
        ),
      'the call to be in flight',
    );
    child.proc.kill('SIGTERM');
    await child.waitForLog(msg(/^waiting for in-flight requests$/), 'draining');
    child.proc.kill('SIGINT');
    // The guard (30 s) is far below the grace period (600 s): only the second signal can end it.
    assert.deepEqual(await child.exit(), { code: 1, signal: null });
    assert.ok(child.logs.some((l) => /second signal/.test(l.msg)));
    assert.equal(await call, 'cut');
  },
);

test(
  'the running process applies a changed file, and rejects an invalid one keeping the old',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const { child, file } = startProcess(t, config(ROUTE));
    const url = (await child.waitForLog(msg(/ready$/), 'ready'))['url'] as string;
    assert.equal((await http(`${url}/a2a/planner`, { method: 'POST', body: rpc('x') })).status, 404);

    writeFileSync(file, config(`${ROUTE}\n  - { path: /a2a/planner, a2a: acme/demo/planner }`));
    await child.waitForLog(msg(/^configuration reloaded$/), 'reload');
    assert.equal((await http(`${url}/a2a/planner`, { method: 'POST', body: rpc('x') })).status, 200);

    writeFileSync(file, config(`${ROUTE}\n  - { path: /a2a/planner, a2a: acme/demo }`));
    await child.waitForLog(msg(/configuration change rejected/), 'rejection');
    await child.waitForLog(
      (l) => l.msg.includes('routes[1].a2a: SLIM name "acme/demo" must be org/namespace/app'),
      'the problem',
    );
    assert.equal((await http(`${url}/a2a/planner`, { method: 'POST', body: rpc('x') })).status, 200);

    child.proc.kill('SIGTERM');
    assert.equal((await child.exit()).code, 0);
  },
);
