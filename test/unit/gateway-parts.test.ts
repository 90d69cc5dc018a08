// Unit: small parts of the gateway shell: retry backoff, the supervisor's lifecycle (retry, close
// during a retry wait, a unit reporting failure), log redaction, and risk warnings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { LOG_REDACT_PATHS, logSettings } from '../../src/gateway/logger.js';
import { riskWarnings } from '../../src/gateway/process.js';
import { Supervisor, backoffDelay } from '../../src/gateway/supervisor.js';
import { silentLogger } from '../../src/util/log.js';
import { SECRET, configFrom } from '../support/config.js';
import { until } from '../support/until.js';

test('backoff doubles from the initial delay and is capped', () => {
  assert.deepEqual(
    [0, 1, 2, 3, 10, 1000].map((n) => backoffDelay(n, 500, 30_000)),
    [500, 1000, 2000, 4000, 30_000, 30_000],
  );
});

test('the supervisor retries a failing start, and a running unit that reports failure', async () => {
  let attempts = 0;
  let fail: ((err: unknown) => void) | undefined;
  const closed: number[] = [];
  const sup = new Supervisor(
    'unit',
    (_signal, reportFailure) => {
      const n = ++attempts;
      if (n === 1) return Promise.reject(new Error('backend down'));
      fail = reportFailure;
      return Promise.resolve({ n, close: () => Promise.resolve(void closed.push(n)) });
    },
    { logger: silentLogger, attemptTimeoutMs: 1000, initialDelayMs: 1, maxDelayMs: 5 },
  ).start();
  await sup.firstAttempt;
  assert.equal(sup.state, 'retrying');
  assert.equal(sup.lastError, 'backend down');
  await until(() => sup.state === 'up', 'the retry');
  assert.equal(sup.value?.n, 2);
  fail!(new Error('process exited'));
  await until(() => sup.value?.n === 3, 'the restart after a reported failure');
  assert.deepEqual(closed, [2]);
  await sup.close(0);
  await sup.close(0);
  assert.equal(sup.state, 'closed');
  assert.deepEqual(closed, [2, 3]);
});

test('a unit that fails right after starting is retried with a growing delay, not a fixed one', async () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      cb();
    },
  });
  let attempts = 0;
  const sup = new Supervisor(
    'unit',
    (_signal, reportFailure) => {
      attempts++;
      // Comes up (its port answers), then fails at once: what a backend port held by another
      // program looks like.
      setImmediate(() => reportFailure(new Error('exited')));
      return Promise.resolve({ close: () => Promise.resolve() });
    },
    { logger: pino(sink), attemptTimeoutMs: 1000, initialDelayMs: 2, maxDelayMs: 1000 },
  ).start();
  await until(() => attempts >= 5, 'five attempts');
  await sup.close(0);
  const delays = lines.filter((l) => l['msg'] === 'failed; will retry').map((l) => l['retryInMs']);
  assert.deepEqual(delays.slice(0, 4), [2, 4, 8, 16]);
});

test('closing a supervisor waiting to retry clears its timer and starts nothing more', async () => {
  let attempts = 0;
  const sup = new Supervisor('unit', () => Promise.reject(new Error(`no ${++attempts}`)), {
    logger: silentLogger,
    attemptTimeoutMs: 1000,
    initialDelayMs: 60_000,
  }).start();
  await sup.firstAttempt;
  await sup.close(0);
  assert.equal(attempts, 1);
  assert.equal(sup.state, 'closed');
});

test('secrets are redacted wherever they sit in a logged object', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const log = pino({ redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' } }, sink);
  log.info({
    sharedSecret: 's1',
    slim: { sharedSecret: 's2' },
    http: { bearerTokens: ['t1'] },
    backend: { headers: { authorization: 'Bearer t2' }, env: { API_KEY: 'k' } },
  });
  const text = lines.join('');
  for (const secret of ['s1', 's2', 't1', 't2', '"k"'])
    assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
});

test('log settings: the environment overrides the file; nonsense is ignored', () => {
  assert.deepEqual(logSettings({ level: 'info', format: 'auto' }, { SLIM_GATEWAY_LOG_LEVEL: 'DEBUG' }), {
    level: 'debug',
    format: 'auto',
  });
  assert.deepEqual(
    logSettings(
      { level: 'warn', format: 'json' },
      { SLIM_GATEWAY_LOG_LEVEL: 'loud', SLIM_GATEWAY_LOG_FORMAT: 'pretty' },
    ),
    { level: 'warn', format: 'pretty' },
  );
});

test('risky settings produce loud warnings', () => {
  const dev =
    configFrom(`slim: { name: acme/demo/gw, sharedSecret: "\${SLIM_SHARED_SECRET:-${SECRET}}", mls: false }
http: { listen: 0.0.0.0:8080, allowNonLoopback: true }`);
  const w = riskWarnings(dev);
  assert.equal(w.length, 3);
  assert.match(w[0]!, /development default because SLIM_SHARED_SECRET is not set/);
  assert.match(w[1]!, /NOT end-to-end encrypted/);
  assert.match(w[2]!, /not a loopback address and http.bearerTokens is empty/);
  assert.deepEqual(riskWarnings(configFrom(`slim: { name: acme/demo/gw, sharedSecret: ${SECRET} }`)), []);
});
