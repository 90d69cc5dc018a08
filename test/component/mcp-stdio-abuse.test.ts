// Component: the stdio front under a client that writes faster than answers come back, sends bytes
// that are not UTF-8, or adds members JSON-RPC does not define. A relay that holds every request
// until released stands in for SLIM, so what is in flight is counted exactly.
import { NO_CALL_OBSERVER } from '../../src/telemetry/index.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { serveStdioFront } from '../../src/adapters/mcp/ingress/stdio.js';
import type { Frame, McpRelay } from '../../src/adapters/mcp/ingress/relay.js';
import type { JsonRpcRequest } from '../../src/adapters/mcp/jsonrpc.js';
import { ingressMetrics } from '../../src/adapters/mcp/metrics.js';
import { silentLogger } from '../../src/util/log.js';

/** Holds each request until `releaseAll`; counts what is in flight. */
function holdingRelay() {
  let inFlight = 0;
  let most = 0;
  let seen = 0;
  const waiting: (() => void)[] = [];
  const relay: McpRelay = {
    async *request(message: JsonRpcRequest): AsyncIterable<Frame> {
      inFlight++;
      seen++;
      most = Math.max(most, inFlight);
      await new Promise<void>((r) => waiting.push(r));
      inFlight--;
      const response = { jsonrpc: '2.0' as const, id: message.id, result: {} };
      yield { message: { kind: 'response', message: response }, text: JSON.stringify(response) };
    },
    notify: () => Promise.resolve(),
    close: () => Promise.resolve(),
    listenLoop: () => Promise.resolve('stopped' as const),
  };
  return {
    relay,
    stats: () => ({ inFlight, most, seen, waiting: waiting.length }),
    releaseAll: () => waiting.splice(0).forEach((r) => r()),
  };
}

function collect(output: PassThrough): unknown[] {
  const lines: unknown[] = [];
  let buf = '';
  output.on('data', (c: Buffer) => {
    buf += c.toString();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      lines.push(JSON.parse(buf.slice(0, nl)));
      buf = buf.slice(nl + 1);
    }
  });
  return lines;
}

const options = (relay: McpRelay, maxPending?: number) => ({
  relay,
  route: '/x',
  target: 'acme/demo/x',
  calls: NO_CALL_OBSERVER,
  logger: silentLogger,
  metrics: ingressMetrics(undefined, '/x'),
  ...(maxPending !== undefined ? { maxPending } : {}),
});

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
};

test('stdio: reading pauses while maxPending requests are in flight; nothing is lost', async () => {
  const h = holdingRelay();
  const input = new PassThrough();
  const output = new PassThrough();
  const lines = collect(output);
  const served = serveStdioFront(options(h.relay, 8), input, output);
  const N = 200;
  let text = '';
  for (let i = 1; i <= N; i++) text += JSON.stringify({ jsonrpc: '2.0', id: i, method: 'ping' }) + '\n';
  input.write(text);
  await until(() => h.stats().waiting === 8);
  // Give the reader every chance to take more than it should.
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(h.stats().inFlight, 8, 'only maxPending requests are started');
  assert.ok(input.isPaused(), 'the input is paused');
  input.end();
  for (let round = 0; round < N && lines.length < N; round++) {
    h.releaseAll();
    await until(() => h.stats().waiting > 0 || lines.length >= N);
  }
  await served;
  assert.equal(h.stats().most, 8, 'never more than maxPending at once');
  assert.equal(h.stats().seen, N);
  const ids = (lines as { id: number }[]).map((l) => l.id).sort((a, b) => a - b);
  assert.deepEqual(
    ids,
    Array.from({ length: N }, (_, i) => i + 1),
    'every request answered once',
  );
});

test('stdio: bytes that are not UTF-8 get -32700 (as on HTTP), not a silently altered request', async () => {
  const h = holdingRelay();
  const input = new PassThrough();
  const output = new PassThrough();
  const lines = collect(output);
  const served = serveStdioFront(options(h.relay), input, output);
  input.write(Buffer.from('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"\xff\xfe"}}\n', 'latin1'));
  input.end();
  await served;
  assert.equal(h.stats().seen, 0, 'nothing was relayed');
  assert.deepEqual(lines, [
    { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error: not UTF-8' } },
  ]);
});

test('stdio: a request with a member JSON-RPC does not define is refused at once with -32600 naming it', async () => {
  const h = holdingRelay();
  const input = new PassThrough();
  const output = new PassThrough();
  const lines = collect(output);
  const served = serveStdioFront(options(h.relay), input, output);
  input.write('{"jsonrpc":"2.0","id":1,"method":"ping","x":1}\n');
  input.write('{"jsonrpc":"2.0","id":2,"method":"ping","__proto__":{"a":1}}\n');
  input.write('{"jsonrpc":"2.0","id":3,"method":"ping","constructor":1}\n');
  input.end();
  await served;
  assert.equal(h.stats().seen, 0, 'nothing was relayed');
  const got = lines as { id: number; error: { code: number; message: string } }[];
  assert.deepEqual(
    got.map((l) => [l.id, l.error.code]),
    [
      [1, -32600],
      [2, -32600],
      [3, -32600],
    ],
  );
  assert.match(got[0]!.error.message, /unknown member "x"/);
  assert.match(got[1]!.error.message, /unknown member "__proto__"/);
  assert.match(got[2]!.error.message, /unknown member "constructor"/);
});
