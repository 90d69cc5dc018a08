// The stop-signal rule of the long-running commands: the first SIGINT/SIGTERM stops, a repeat of
// it delivered at the same moment (terminal plus npm's forwarded copy) is the same request, and a
// later or different signal forces the exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DUPLICATE_WINDOW_MS,
  STOP_LINGER_MS,
  lingerAfterStopSignal,
  onStopSignals,
} from '../../src/util/stop-signals.js';

test('stop signals: first stops, a duplicate delivery is ignored, a later one forces', () => {
  let now = 1_000;
  const seen: string[] = [];
  const dispose = onStopSignals(
    { stop: (s) => seen.push(`stop ${s}`), force: (s) => seen.push(`force ${s}`) },
    () => now,
  );
  try {
    process.emit('SIGINT', 'SIGINT');
    process.emit('SIGINT', 'SIGINT');
    assert.deepEqual(seen, ['stop SIGINT']);
    process.emit('SIGTERM', 'SIGTERM');
    assert.deepEqual(seen, ['stop SIGINT', 'force SIGTERM']);
    now += DUPLICATE_WINDOW_MS;
    process.emit('SIGINT', 'SIGINT');
    assert.deepEqual(seen, ['stop SIGINT', 'force SIGTERM', 'force SIGINT']);
  } finally {
    dispose();
  }
  process.emit('SIGINT', 'SIGINT');
  assert.equal(seen.length, 3, 'handlers removed');
});

test('after a stop signal, the process lingers so a late forwarded copy meets a handler', async () => {
  let now = 50_000;
  const dispose = onStopSignals({ stop: () => {}, force: () => {} }, () => now);
  try {
    process.emit('SIGTERM', 'SIGTERM');
  } finally {
    dispose();
  }
  // Right after the signal: the linger is still to come.
  let settled = false;
  const lingering = lingerAfterStopSignal(() => now).then(() => (settled = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(settled, false);
  await lingering;
  // Once the linger has passed since the signal: no wait at all.
  now += STOP_LINGER_MS;
  settled = false;
  void lingerAfterStopSignal(() => now).then(() => (settled = true));
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(settled, true);
});
