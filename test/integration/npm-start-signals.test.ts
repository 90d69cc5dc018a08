// `npm start` stopped the ways a newcomer stops it: Ctrl-C in the terminal (SIGINT to the whole
// foreground process group: npm, and the gateway, which also gets npm's forwarded copy) and
// SIGINT sent to npm's process alone (npm forwards it). Both stop the gateway cleanly and npm
// exits 0, as the README says. And the reason the gateway lingers after its clean stop: a
// forwarded copy of the signal that arrives after "bye" still meets its handler (exit 0), instead
// of killing a process whose handlers are already gone (npm would then exit 130).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Child } from '../support/child.js';
import { logMatching, startRun, writeConfig } from '../support/gateway-process.js';
import { REPO_ROOT } from '../support/paths.js';
import { freePort } from '../support/reference.js';

async function startNpm(t: { after: (fn: () => void) => void }): Promise<Child> {
  const [node, web, agent] = [await freePort(), await freePort(), await freePort()];
  const child = new Child(
    'npm',
    ['start', '--prefix', REPO_ROOT],
    {
      SLIM_LISTEN: `127.0.0.1:${node}`,
      HTTP_LISTEN: `127.0.0.1:${web}`,
      PLANNER_PORT: String(agent),
      SLIM_GATEWAY_LOG_FORMAT: 'json',
    },
    { detached: true },
  );
  t.after(() => child.kill());
  await child.waitForLog(logMatching(/^slim-gateway \S+ ready$/), 'ready', 90_000);
  return child;
}

test(
  'npm start: Ctrl-C (SIGINT to the process group) stops the gateway; npm exits 0',
  { timeout: 180_000 },
  async (t) => {
    const child = await startNpm(t);
    child.signalGroup('SIGINT');
    const { code } = await child.exit(60_000);
    assert.equal(code, 0, child.stderrText.join('\n'));
    assert.ok(
      child.logs.some((l) => l.msg === 'bye'),
      'the gateway shut down cleanly',
    );
    assert.ok(!child.logs.some((l) => /second signal/.test(l.msg)), 'one Ctrl-C is one stop request');
  },
);

test('npm start: SIGINT to npm alone stops the gateway; npm exits 0', { timeout: 180_000 }, async (t) => {
  const child = await startNpm(t);
  child.proc.kill('SIGINT');
  const { code } = await child.exit(60_000);
  assert.equal(code, 0, child.stderrText.join('\n'));
  assert.ok(
    child.logs.some((l) => l.msg === 'bye'),
    'the gateway shut down cleanly',
  );
});

test(
  'a copy of the stop signal that comes after "bye" is absorbed: exit 0',
  { timeout: 120_000 },
  async (t) => {
    const file = writeConfig(
      t,
      `slim: { node: embedded, listen: "127.0.0.1:0", name: acme/demo/late-signal, sharedSecret: late-signal-shared-secret-0123456789abcdef }
http: { listen: "127.0.0.1:0" }
`,
    );
    const { child } = await startRun(t, file);
    child.proc.kill('SIGINT');
    await child.waitForLog(logMatching(/^bye$/), 'bye', 30_000);
    // The late copy (npm forwarding Ctrl-C on a busy machine): the process must still be there.
    assert.equal(child.proc.kill('SIGINT'), true, 'the gateway is still there to take the copy');
    const { code, signal } = await child.exit(30_000);
    assert.deepEqual({ code, signal }, { code: 0, signal: null });
    assert.ok(!child.logs.some((l) => /second signal/.test(l.msg)), 'the copy is the same stop request');
  },
);
