// Component: the start-up warm-up (src/gateway/warm-up.ts) next to a running gateway on the
// production deps. It makes real SLIMRPC calls over MLS on throw-away objects, while the gateway
// keeps answering /readyz, and leaves nothing behind: no connection, subscription or forwarded
// frame on the gateway's node, no socket or timer in the process. A failure in it, a hang, or a
// shutdown during it, is logged (or not) and the warm-up still resolves, so start-up goes on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGateway } from '../../src/gateway/index.js';
import { realDeps } from '../../src/gateway/real-deps.js';
import type { RealNode } from '../../src/gateway/real-deps.js';
import { warmUp } from '../../src/gateway/warm-up.js';
import { silentLogger } from '../../src/util/log.js';
import { SECRET, configFrom } from '../support/config.js';
import { http } from '../support/http.js';
import { captureLogs } from '../support/log-capture.js';
import { until } from '../support/until.js';

/** Handles of the kinds a leak would show: sockets, listeners, timers. */
function handles(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo())
    if (/TCP|Timeout|Immediate|Pipe|UDP/.test(kind)) out[kind] = (out[kind] ?? 0) + 1;
  return out;
}

test('the warm-up calls over MLS on throw-away objects while /readyz answers, and leaves no trace', async (t) => {
  const config = configFrom(`
slim: { node: embedded, listen: "127.0.0.1:0", name: acme/demo/gateway, sharedSecret: ${SECRET} }
http: { listen: "127.0.0.1:0" }
`);
  const real = realDeps();
  let node: RealNode | undefined;
  const gw = await createGateway(
    config,
    { ...real, startNode: async (o) => (node = await real.startNode(o)) },
    { logger: silentLogger },
  );
  t.after(() => gw.close(0));
  assert.equal((await http(`${gw.url}/readyz`)).status, 200);
  // The probe's own connection closes on its own; count from there.
  await until(() => !('TCPSocketWrap' in handles()), 'the probe connection to close');
  const nodeBefore = node!.node.stats();
  const handlesBefore = JSON.stringify(handles());

  const logs = captureLogs('debug');
  const warming = warmUp({ logger: logs.logger, maxCalls: 50, cpuBudgetMs: 60_000 });
  // While it runs, the gateway answers (the warm-up yields between its calls).
  const readyz = await http(`${gw.url}/readyz`);
  const report = await warming;
  assert.equal(readyz.status, 200, readyz.text);
  assert.equal(report.stopped, undefined, `the warm-up stopped: ${report.stopped}`);
  assert.equal(report.calls, 50, 'every call answered');
  assert.ok(report.cpuMs > 0);
  const done = await logs.waitFor(/start-up warm-up done/);
  assert.equal(done['calls'], 50);

  assert.deepEqual(node!.node.stats(), nodeBefore, "the gateway's node saw nothing of it");
  // Everything it opened is closed (sessions' timers included): once the probe's connection has
  // closed, the process holds what it held before. A leak never gets there.
  await until(
    () => JSON.stringify(handles()) === handlesBefore,
    `no socket, listener or timer left (${handlesBefore})`,
    10_000,
  );
  assert.equal((await http(`${gw.url}/readyz`)).status, 200);
});

test('the warm-up stops at its CPU budget', async () => {
  const report = await warmUp({ logger: silentLogger, cpuBudgetMs: 1, maxCalls: 1_000_000 });
  assert.equal(report.stopped, undefined);
  // Setting up its throw-away objects alone takes more than 1 ms of CPU: a call or none.
  assert.ok(report.calls <= 1, `${report.calls} calls`);
});

test('a failing warm-up is logged, closes what it opened and resolves', async () => {
  const logs = captureLogs('debug');
  let closed = 0;
  const report = await warmUp({
    logger: logs.logger,
    maxCalls: 10,
    rig: (closers) => {
      closers.push(async () => closed++);
      return Promise.resolve({
        call: (n) => (n === 2 ? Promise.reject(new Error('codec blew up')) : Promise.resolve()),
      });
    },
  });
  assert.equal(report.calls, 2);
  assert.match(report.stopped ?? '', /codec blew up/);
  assert.equal(closed, 1, 'its objects are closed');
  const warn = await logs.waitFor(/start-up warm-up failed/);
  assert.equal(warn['level'], 40, 'logged at warn');
  assert.match(String(warn['stopped']), /codec blew up/);

  const early = await warmUp({
    logger: logs.logger,
    rig: () => Promise.reject(new Error('no node for you')),
  });
  assert.equal(early.calls, 0);
  assert.match(early.stopped ?? '', /no node for you/);
});

test('a shutdown during the warm-up stops it at once, quietly', async () => {
  const logs = captureLogs('debug');
  const stop = new AbortController();
  let closed = 0;
  const report = await warmUp({
    logger: logs.logger,
    maxCalls: 1_000,
    cpuBudgetMs: 60_000,
    signal: stop.signal,
    rig: (closers) => {
      closers.push(async () => closed++);
      return Promise.resolve({
        call: (n) => {
          if (n === 4) stop.abort();
          return Promise.resolve();
        },
      });
    },
  });
  assert.equal(report.calls, 4, 'the call during which it stopped is not waited for');
  assert.equal(report.stopped, 'cancelled');
  assert.equal(closed, 1);
  assert.ok(!logs.messages().some((m) => /failed/.test(m)), 'a shutdown is not a failure');
});

test('a warm-up that hangs ends at its deadline, as does one stopped while it hangs', async () => {
  const logs = captureLogs('debug');
  let closed = 0;
  const hang = (closers: (() => Promise<unknown>)[]) => {
    closers.push(async () => closed++);
    // A closer that never finishes is given up on, too.
    closers.push(() => new Promise(() => undefined));
    return Promise.resolve({ call: () => new Promise<void>(() => undefined) });
  };
  const report = await warmUp({ logger: logs.logger, deadlineMs: 50, rig: hang });
  assert.equal(report.calls, 0);
  assert.match(report.stopped ?? '', /cancel|deadline|time/i);
  assert.equal(closed, 1);
  await logs.waitFor(/start-up warm-up failed/);

  const stop = new AbortController();
  const stopping = warmUp({
    logger: silentLogger,
    signal: stop.signal,
    rig: () => new Promise(() => undefined),
  });
  stop.abort();
  assert.equal((await stopping).stopped, 'cancelled');
});
