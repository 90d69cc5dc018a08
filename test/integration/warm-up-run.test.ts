// `slim-gateway run` warms up before it says it is ready (src/gateway/warm-up.ts): the warm-up's
// calls over MLS are made and reported before the "ready" line, and `warmUp: false` skips them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SECRET } from '../support/config.js';
import { logMatching, startRun, stop, writeConfig } from '../support/gateway-process.js';

const HANG_GUARD_MS = 120_000;
const BASE = `slim: { node: embedded, listen: "127.0.0.1:0", name: acme/demo/warm, sharedSecret: ${SECRET} }
http: { listen: "127.0.0.1:0" }
`;

test('run warms up before it reports ready', { timeout: HANG_GUARD_MS }, async (t) => {
  const { child } = await startRun(t, writeConfig(t, BASE), { SLIM_GATEWAY_LOG_LEVEL: 'debug' });
  const warmed = child.logs.findIndex(logMatching(/^start-up warm-up done$/));
  const ready = child.logs.findIndex(logMatching(/^slim-gateway \S+ ready$/));
  assert.ok(warmed >= 0, 'the warm-up reported');
  assert.ok(warmed < ready, 'before the ready line');
  const report = child.logs[warmed]!;
  assert.ok(Number(report['calls']) > 0, `calls made: ${String(report['calls'])}`);
  assert.equal(report['stopped'], undefined);
  assert.ok(!child.logs.some(logMatching(/warm-up (failed|not run)/)));
  assert.equal(await stop(child), 0);
});

test('warmUp: false starts without it', { timeout: HANG_GUARD_MS }, async (t) => {
  const { child } = await startRun(t, writeConfig(t, `${BASE}warmUp: false\n`), {
    SLIM_GATEWAY_LOG_LEVEL: 'debug',
  });
  assert.ok(!child.logs.some(logMatching(/warm-up/)), 'no warm-up line');
  assert.equal(await stop(child), 0);
});
