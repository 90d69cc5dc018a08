// Fuzz: every decoder that reads bytes from outside, fed structure-aware random inputs and
// mutations of the captured SLIM frames (test/fixtures/vectors/slim-v2), with a property each: the
// Publish fast path gives exactly what protobuf-es gives (or leaves the frame to it); SLIMRPC frame
// classification and deadlines stay in range; JSON-RPC parsing (MCP) and A2A request parsing
// answer every input with a value or their protocol's error; the config parser reports problems
// instead of throwing. A bounded run here (FUZZ_COUNT, default below); `npm run fuzz -- COUNT
// [SEED]` for long runs. A failure names the seed and the input (hex) that reproduce it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { equals, fromBinary } from '@bufbuild/protobuf';
import { MessageSchema, decodeMessage } from '../../src/slim/proto/index.js';
import { decodePublishMessage } from '../../src/slim/proto/publish-decode.js';
import { classifyFrame, parseDeadline, rpcIdOf } from '../../src/slim/rpc/frames.js';
import { JsonRpcCode, parseClientMessage, parseMessage } from '../../src/adapters/mcp/jsonrpc.js';
import { parseRequest } from '../../src/adapters/a2a/jsonrpc.js';
import { sideOf } from '../../src/adapters/a2a/ops.js';
import { A2aError } from '../../src/adapters/a2a/errors.js';
import { parseConfig } from '../../src/config/index.js';
import { fuzzSettings, jsonBytes, mutateBytes, randomEnvelope, randomJson, Rng } from '../support/fuzz.js';
import { loadAllFrames } from '../support/vectors.js';

const { count, seed } = fuzzSettings(1_500);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const where = (name: string, i: number, input: Uint8Array | string) =>
  `${name}: seed ${seed}, case ${i}, input ${typeof input === 'string' ? JSON.stringify(input.slice(0, 2000)) : hex(input).slice(0, 4000)}`;

const FRAMES = (() => {
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  for (const f of loadAllFrames()) {
    const key = hex(f.bytes);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(f.bytes);
    }
  }
  return out;
})();

test(
  'Publish fast path: the same message as protobuf-es, or the frame left to protobuf-es',
  { timeout: 600_000 },
  () => {
    assert.ok(FRAMES.length > 100, `captured frames loaded: ${FRAMES.length}`);
    const rng = new Rng(seed);
    let fast = 0;
    for (let i = 0; i < count * 4; i++) {
      const input = mutateBytes(rng, rng.pick(FRAMES), rng.pick(FRAMES));
      let ours: ReturnType<typeof decodePublishMessage>;
      let oursErr: unknown;
      try {
        ours = decodePublishMessage(input);
      } catch (err) {
        oursErr = err;
      }
      let ref: ReturnType<typeof fromBinary<typeof MessageSchema>> | undefined;
      let refErr: unknown;
      try {
        ref = fromBinary(MessageSchema, input);
      } catch (err) {
        refErr = err;
      }
      if (oursErr !== undefined) {
        assert.ok(oursErr instanceof Error, where('fast path threw a non-Error', i, input));
        assert.ok(refErr !== undefined, where('fast path refused bytes protobuf-es reads', i, input));
      }
      if (ours !== undefined) {
        fast++;
        assert.equal(refErr, undefined, where('fast path read bytes protobuf-es refuses', i, input));
        assert.ok(equals(MessageSchema, ours, ref!), where('fast path and protobuf-es disagree', i, input));
      }
      // The entry point every link uses: a message or an Error, nothing else.
      try {
        decodeMessage(input);
      } catch (err) {
        assert.ok(err instanceof Error, where('decodeMessage threw a non-Error', i, input));
      }
    }
    assert.ok(fast > 0, 'some mutated frames still took the fast path');
  },
);

test('SLIMRPC frames: status and deadline stay in range for any metadata', () => {
  const rng = new Rng(seed + 1);
  const values = [
    '',
    '0',
    '1',
    '16',
    '17',
    '-1',
    '+3',
    ' 4 ',
    '1e3',
    'NaN',
    'Infinity',
    '-Infinity',
    '9'.repeat(400),
    '1.5',
    '0x10',
    '\u0000',
  ];
  const keys = [
    'slimrpc-code',
    'slimrpc-timeout',
    'rpc-id',
    'slimrpc-dir',
    'service',
    'method',
    '__proto__',
    'constructor',
  ];
  for (let i = 0; i < count; i++) {
    const md: Record<string, string> = Object.create(null) as Record<string, string>;
    for (let k = rng.int(5); k > 0; k--)
      md[rng.pick(keys)] = rng.chance(0.7) ? rng.pick(values) : String(randomJson(rng, 0));
    const payload = Uint8Array.from({ length: rng.int(8) }, () => rng.int(256));
    const f = classifyFrame(md, payload);
    if (f.kind === 'error') assert.ok(f.status >= 1 && f.status <= 16, JSON.stringify(md));
    const d = parseDeadline(md, 1_000_000);
    assert.ok(Number.isFinite(d) && d >= 0, JSON.stringify(md));
    rpcIdOf(md);
  }
});

test('MCP JSON-RPC: every input is one message or a -32700 / -32600 answer', () => {
  const rng = new Rng(seed + 2);
  const methods = [
    'ping',
    'initialize',
    'tools/call',
    'notifications/cancelled',
    'notifications/initialized',
  ];
  for (let i = 0; i < count * 2; i++) {
    const input = rng.chance(0.2)
      ? mutateBytes(rng, jsonBytes(rng, randomEnvelope(rng, methods)), new Uint8Array([0x7b]))
      : jsonBytes(rng, randomEnvelope(rng, methods));
    for (const parse of [parseMessage, parseClientMessage]) {
      const r = parse(input);
      if (r.ok) {
        assert.ok(['request', 'notification', 'response'].includes(r.value.kind), where('kind', i, input));
        assert.equal(r.value.message.jsonrpc, '2.0', where('jsonrpc', i, input));
        assert.ok(JSON.stringify(r.value.message).length > 0);
      } else {
        assert.ok(
          r.code === JsonRpcCode.PARSE_ERROR || r.code === JsonRpcCode.INVALID_REQUEST,
          where(`code ${r.code}`, i, input),
        );
        assert.ok(r.message.length > 0);
      }
    }
    const strict = parseClientMessage(input);
    if (strict.ok) {
      for (const k of Object.keys(strict.value.message))
        assert.ok(
          ['jsonrpc', 'id', 'method', 'params', 'result', 'error'].includes(k),
          where(`member ${k}`, i, input),
        );
    }
  }
});

test('A2A JSON-RPC: every body is a call with parameters or an A2A error', () => {
  const rng = new Rng(seed + 3);
  const methods = [
    'SendMessage',
    'GetTask',
    'CancelTask',
    'message/send',
    'tasks/get',
    'tasks/cancel',
    'SendStreamingMessage',
    'message/stream',
    'GetExtendedAgentCard',
    'tasks/pushNotificationConfig/set',
    'ListTasks',
  ];
  for (let i = 0; i < count * 2; i++) {
    const text = Buffer.from(jsonBytes(rng, randomEnvelope(rng, methods))).toString('utf8');
    const parsed = parseRequest(text);
    if (!parsed.ok) {
      assert.ok(parsed.error instanceof A2aError, where('parse error type', i, text));
      continue;
    }
    const side = sideOf(parsed.call.op, parsed.call.version);
    assert.ok(side, where('no side', i, text));
    try {
      side.reqFromJson(parsed.call.params);
    } catch (err) {
      assert.ok(
        err instanceof A2aError,
        where(`params threw ${(err as Error)?.name}: ${(err as Error)?.message}`, i, text),
      );
    }
  }
});

test('config: any text is a configuration or a list of problems, never a throw', { timeout: 600_000 }, () => {
  const rng = new Rng(seed + 4);
  const base = `slim: { name: acme/demo/gw, sharedSecret: "${'s'.repeat(32)}", node: embedded }
http: { listen: "127.0.0.1:8080", maxConnectionsPerClient: 10, headersTimeoutMs: 1000 }
services:
  - { name: acme/demo/weather, mcp: { command: node, args: [server.js], maxSessionsPerCaller: 2 } }
routes:
  - { path: /mcp/weather, mcp: acme/demo/weather }
  - { path: /a2a/x, a2a: { group: [acme/demo/a, acme/demo/b] } }
`;
  const readFile = () => {
    throw new Error('no files in the fuzz test');
  };
  for (let i = 0; i < Math.ceil(count / 3); i++) {
    const text = rng.chance(0.7)
      ? Buffer.from(mutateBytes(rng, Buffer.from(base), Buffer.from('{}[]:-"\n ${X}&*!|>'))).toString('utf8')
      : JSON.stringify(randomJson(rng, 5));
    let r: ReturnType<typeof parseConfig>;
    try {
      r = parseConfig(text, { env: { X: 'y' }, baseDir: '/nonexistent', readFile });
    } catch (err) {
      assert.fail(where(`parseConfig threw ${(err as Error)?.message}`, i, text));
    }
    if (!r.ok)
      assert.ok(
        r.problems.length > 0 && r.problems.every((p) => p.message.length > 0),
        where('empty problem', i, text),
      );
  }
});
