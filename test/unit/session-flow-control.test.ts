// The pure pieces of the session layer's flow control and timers: the timer wheel every
// retransmission deadline lives in, the send window that makes publish() wait, and the data
// sender's resend decisions (a busy endpoint gets no copies; a lost or silent one does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../src/util/errors.js';
import { DataSender } from '../../src/slim/session/state/data-sender.js';
import { SendWindow } from '../../src/slim/session/send-window.js';
import { TimerWheel } from '../../src/slim/session/state/timer-wheel.js';

test('timer wheel: keys expire at their tick, never early, earliest first, in scheduling order', () => {
  const w = new TimerWheel<string>(10);
  w.schedule('b', 1005); // rounded up to 1010
  w.schedule('a', 1000);
  w.schedule('c', 1001); // same tick as b
  assert.equal(w.size, 3);
  assert.equal(w.nextDeadline(), 1000);
  assert.deepEqual(w.due(999), []);
  assert.deepEqual(w.due(1000), ['a']);
  assert.equal(w.nextDeadline(), 1010);
  assert.deepEqual(w.due(1009), []);
  assert.deepEqual(w.due(5000), ['b', 'c']);
  assert.equal(w.nextDeadline(), undefined);
  assert.equal(w.size, 0);
});

test('timer wheel: cancel and reschedule move the next deadline; emptied ticks come back cleanly', () => {
  const w = new TimerWheel<number>(1);
  for (let i = 0; i < 100; i++) w.schedule(i, 100 + i);
  assert.equal(w.cancel(0), true);
  assert.equal(w.cancel(0), false);
  assert.equal(w.nextDeadline(), 101);
  w.schedule(1, 500); // moved later
  assert.equal(w.nextDeadline(), 102);
  assert.equal(w.has(1), true);
  // A tick that emptied (every key cancelled) and is used again fires once.
  w.cancel(2);
  w.schedule(2, 102);
  assert.deepEqual(w.due(102), [2]);
  assert.deepEqual(w.due(102), []);
  assert.equal(w.due(499).length, 97);
  assert.deepEqual(w.due(500), [1]);
  w.schedule(7, 10);
  w.clear();
  assert.equal(w.nextDeadline(), undefined);
  assert.deepEqual(w.due(1e9), []);
});

test('timer wheel: thousands of keys in one tick expire together', () => {
  const w = new TimerWheel<number>(10);
  for (let i = 0; i < 5000; i++) w.schedule(i, 1001 + (i % 7)); // all in the tick ending at 1010
  for (let i = 0; i < 5000; i += 2) w.cancel(i);
  assert.equal(w.nextDeadline(), 1010);
  assert.deepEqual(w.due(1009), []);
  const due = w.due(1010);
  assert.equal(due.length, 2500);
  assert.deepEqual(due.slice(0, 3), [1, 3, 5], 'in scheduling order within the tick');
});

/** A window over a fake sender whose occupancy the test sets. */
function windowOver(limit: number, timeoutMs = 60_000) {
  const sender = { held: 0 };
  const win = new SendWindow(limit, () => sender.held, timeoutMs);
  const started: number[] = [];
  const publish = (n: number, signal?: AbortSignal) =>
    win.admit(async () => {
      started.push(n);
      sender.held++; // the message is now with the sender
    }, signal);
  return { sender, win, started, publish };
}

test('send window: up to the limit go at once, the rest wait and start in call order as room appears', async () => {
  const { sender, win, started, publish } = windowOver(3);
  const all = Array.from({ length: 6 }, (_, i) => publish(i));
  await Promise.all(all.slice(0, 3));
  assert.deepEqual(started, [0, 1, 2]);
  assert.equal(win.waiting, 3);
  sender.held = 1; // two acknowledged
  win.pump();
  await Promise.all(all.slice(3, 5));
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
  assert.equal(win.waiting, 1);
  sender.held = 0;
  win.pump();
  await all[5];
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5]);
});

test('send window: a newcomer never overtakes a waiting publish', async () => {
  const { sender, win, started, publish } = windowOver(1);
  await publish(0);
  const waiting = publish(1);
  sender.held = 0; // room, but publish 1 waits for a pump
  const later = publish(2);
  assert.deepEqual(started, [0]);
  win.pump();
  await waiting;
  sender.held = 0;
  win.pump();
  await later;
  assert.deepEqual(started, [0, 1, 2]);
});

test('send window: a wait ends with the signal, the default deadline, or close; failures free the place', async () => {
  const { win, publish, started } = windowOver(1, 20);
  await publish(0);
  const ac = new AbortController();
  const aborted = publish(1, ac.signal);
  const timedOut = publish(2);
  ac.abort(new Error('caller gave up'));
  await assert.rejects(aborted, (err: unknown) => err instanceof GatewayError && err.code === 'CANCELLED');
  await assert.rejects(timedOut, (err: unknown) => err instanceof GatewayError && err.code === 'TIMEOUT');
  const waiting = publish(3, new AbortController().signal);
  win.close(new GatewayError('CLOSED', 'session is closed'));
  await assert.rejects(waiting, (err: unknown) => err instanceof GatewayError && err.code === 'CLOSED');
  await assert.rejects(publish(4), (err: unknown) => err instanceof GatewayError && err.code === 'CLOSED');
  assert.deepEqual(started, [0]);

  // A job that fails before its message reaches the sender gives its place back.
  const held = { n: 0 };
  const w2 = new SendWindow(1, () => held.n, 60_000);
  await assert.rejects(w2.admit(() => Promise.reject(new Error('not open'))));
  await w2.admit(async () => {
    held.n++;
  });
  assert.equal(w2.waiting, 0);
});

test('send window: without flow control (Infinity) nothing ever waits', async () => {
  const win = new SendWindow(Infinity, () => 1e9, 60_000);
  let n = 0;
  await Promise.all(Array.from({ length: 100 }, () => win.admit(async () => void n++)));
  assert.equal(n, 100);
});

test('data sender: occupancy counts unacknowledged messages and those waiting for an endpoint', () => {
  const s = new DataSender<string, string>(true, { intervalMs: 100, maxRetries: 3 });
  s.publish(1, 'm1', 0);
  s.publish(2, 'm2', 0);
  assert.equal(s.occupancy(), 2);
  s.addEndpoint('bob', 'Bob', 0);
  assert.equal(s.occupancy(), 2);
  s.ack(1, 'bob', 10);
  assert.equal(s.occupancy(), 1);
  s.removeEndpoint('bob');
  assert.equal(s.occupancy(), 0);
});

test('data sender: no copies to a busy endpoint; a message it skipped, or a silent endpoint, gets one', () => {
  const s = new DataSender<string, string>(true, { intervalMs: 100, maxRetries: 3 });
  s.addEndpoint('bob', 'Bob', 0);
  for (let id = 1; id <= 4; id++) s.publish(id, `m${id}`, 0);
  // bob works through its backlog: m1 acknowledged within the interval, m2..m4 still queued there.
  s.ack(1, 'bob', 90);
  assert.deepEqual(s.tick(100), { resend: [], failed: [] });
  // bob acknowledges m4 but not m2 or m3: those two were lost on the way.
  s.ack(4, 'bob', 150);
  assert.deepEqual(
    s.tick(200).resend.map((o) => o.frame),
    ['m2', 'm3'],
  );
  s.ack(2, 'bob', 210);
  // bob goes silent: m3 is resent every interval and bob is reported once the retries run out.
  let failed: string[] = [];
  const resent: string[] = [];
  for (let t = 300; t <= 1000 && failed.length === 0; t += 100) {
    const tick = s.tick(t);
    resent.push(...tick.resend.map((o) => `${o.frame}->${o.to}`));
    failed = tick.failed.flatMap((f) => f.missing);
  }
  assert.ok(resent.length >= 3 && resent.every((r) => r === 'm3->Bob'), resent.join(','));
  assert.deepEqual(failed, ['bob']);
  assert.equal(s.occupancy(), 0);
});
