// What each fuzzed decoder promises (docs/security.md, "Fuzzing"). Every decoder that reads bytes
// from outside is here with its contract; a broken contract is a finding:
// - the Publish fast path either declines (undefined) or returns exactly what protobuf-es decodes,
//   and fails only where protobuf-es fails;
// - the node's header reader and inbound decoder never throw anything but an Error;
// - the MLS decoder throws only our MLS error;
// - SLIMRPC frame metadata (status codes, deadlines, rpc ids) never throws;
// - the JSON-RPC parser never throws and answers with a JSON-RPC error code;
// - an A2A request (either version) is refused with an A2A error or converted, both ways between
//   versions and through the SLIMRPC binding's protobuf, without any other exception;
// - the configuration parser never throws and reports problems with their paths.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { equals, fromBinary } from '@bufbuild/protobuf';
import { parseConfig } from '../../../src/config/index.js';
import { decodePublishMessage } from '../../../src/slim/proto/publish-decode.js';
import { MessageSchema, decodeMessage } from '../../../src/slim/proto/index.js';
import type { Message } from '../../../src/slim/proto/index.js';
import { decodeInbound } from '../../../src/slim/node/publish-frame.js';
import { readHeaderView } from '../../../src/slim/node/header-view.js';
import { decodeAny } from '../../../src/slim/mls/codec.js';
import { classifyFrame, parseDeadline, rpcIdOf, wireCode } from '../../../src/slim/rpc/frames.js';
import { JsonRpcCode, parseClientMessage, parseMessage } from '../../../src/adapters/mcp/jsonrpc.js';
import { GatewayError } from '../../../src/util/errors.js';
import { fromBinary as protoFromBinary, toBinary } from '@bufbuild/protobuf';
import { parseRequest } from '../../../src/adapters/a2a/jsonrpc.js';
import { convertRequest, sideOf } from '../../../src/adapters/a2a/methods/table.js';
import { A2aError } from '../../../src/adapters/a2a/errors.js';
import { REPO_ROOT } from '../paths.js';
import { loadAllFrames } from '../vectors.js';
import { mutateBytes, mutateText, randomJson, randomMessage } from './mutate.js';
import type { Random } from './random.js';

export interface Target {
  readonly name: string;
  /** The next input: a mutation of a real one, or a structure-aware random one. */
  input(rnd: Random): Uint8Array | string;
  /** Runs the decoder on one input; throws a Finding when its contract is broken. */
  run(input: Uint8Array | string): void;
}

export class Finding extends Error {}

function expectErrorOnly(err: unknown, what: string): void {
  if (!(err instanceof Error)) throw new Finding(`${what} threw a non-Error: ${String(err)}`);
  if (err instanceof Finding) throw err;
}

/** Every byte string nested anywhere in a decoded message (MLS payloads live in such fields). */
function blobsOf(value: unknown, out: Uint8Array[], depth = 0): void {
  if (depth > 12 || value === null || typeof value !== 'object') return;
  if (value instanceof Uint8Array) {
    if (value.length >= 16) out.push(value);
    return;
  }
  for (const v of Object.values(value)) blobsOf(v, out, depth + 1);
}

let frameSeeds: Uint8Array[] | undefined;
function frames(): Uint8Array[] {
  return (frameSeeds ??= loadAllFrames().map((f) => f.bytes));
}

let mlsSeeds: Uint8Array[] | undefined;
function mlsBlobs(): Uint8Array[] {
  if (!mlsSeeds) {
    const out: Uint8Array[] = [];
    for (const f of frames()) {
      let msg: Message;
      try {
        msg = decodeMessage(f);
      } catch {
        continue;
      }
      blobsOf(msg, out);
    }
    mlsSeeds = out;
  }
  return mlsSeeds;
}

const bytesOf = (input: Uint8Array | string) => (typeof input === 'string' ? Buffer.from(input) : input);

const publishFastPath: Target = {
  name: 'dataplane: Publish fast path vs protobuf-es',
  input: (rnd) =>
    rnd.chance(0.85) ? mutateBytes(rnd, rnd.pick(frames()), frames()) : Uint8Array.from(randomMessage(rnd)),
  run(input) {
    const bytes = bytesOf(input);
    let full: Message | undefined;
    try {
      full = fromBinary(MessageSchema, bytes);
    } catch (err) {
      expectErrorOnly(err, 'protobuf-es');
    }
    let fast: Message | undefined;
    try {
      fast = decodePublishMessage(bytes);
    } catch (err) {
      expectErrorOnly(err, 'the fast path');
      if (full)
        throw new Finding(`the fast path failed (${(err as Error).message}) where protobuf-es decoded`);
      return;
    }
    if (fast && !full) throw new Finding('the fast path decoded bytes protobuf-es rejects');
    if (fast && full && !equals(MessageSchema, fast, full))
      throw new Finding('the fast path and protobuf-es decoded different messages');
  },
};

const nodeInbound: Target = {
  name: 'node: header reader and inbound decoder',
  input: publishFastPath.input,
  run(input) {
    const buf = Buffer.from(bytesOf(input));
    for (let start = 0; start < Math.min(buf.length, 24); start += 7) readHeaderView(buf, start, buf.length);
    try {
      decodeInbound(buf);
    } catch (err) {
      expectErrorOnly(err, 'decodeInbound');
    }
  },
};

const mlsMessages: Target = {
  name: 'mls: MLSMessage decoder',
  input: (rnd) => {
    const seeds = mlsBlobs();
    return seeds.length && rnd.chance(0.9)
      ? mutateBytes(rnd, rnd.pick(seeds), seeds)
      : rnd.bytes(rnd.below(300));
  },
  run(input) {
    try {
      decodeAny(bytesOf(input));
    } catch (err) {
      if (!(err instanceof GatewayError))
        throw new Finding(`decodeAny threw ${String(err)} (not our MLS error)`);
    }
  },
};

const RPC_KEYS = ['service', 'method', 'rpc-id', 'slimrpc-dir', 'slimrpc-timeout', 'slimrpc-code', 'x'];
const slimrpcFrames: Target = {
  name: 'slimrpc: frame metadata (status, deadline, rpc id)',
  input: (rnd) => {
    const md: Record<string, string> = {};
    const n = rnd.below(5);
    for (let i = 0; i < n; i++) {
      const v = randomJson(rnd, 0);
      md[rnd.pick(RPC_KEYS)] = typeof v === 'string' ? v : JSON.stringify(v);
    }
    return JSON.stringify({ md, payload: Buffer.from(rnd.bytes(rnd.below(40))).toString('base64') });
  },
  run(input) {
    const { md, payload } = JSON.parse(String(input)) as { md: Record<string, string>; payload: string };
    const kind = classifyFrame(md, Buffer.from(payload, 'base64'));
    if (!['data', 'end', 'error'].includes(kind.kind)) throw new Finding(`unknown frame kind ${kind.kind}`);
    const deadline = parseDeadline(md, 1_000_000);
    if (!Number.isFinite(deadline) || deadline < 0) throw new Finding(`deadline ${deadline}`);
    const code = wireCode(md['slimrpc-code']);
    if (!Number.isInteger(code) || code < 0 || code > 16) throw new Finding(`status code ${code}`);
    rpcIdOf(md);
  },
};

const JSONRPC_SEEDS = [
  '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}',
  '{"jsonrpc":"2.0","id":"a","method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}',
  '{"jsonrpc":"2.0","method":"notifications/initialized"}',
  '{"jsonrpc":"2.0","id":1,"method":"ping","x":1}',
  '{"jsonrpc":"2.0","id":1,"method":"ping","__proto__":{"a":1}}',
  '{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"ok"}]}}',
  '{"jsonrpc":"2.0","id":8,"error":{"code":-32601,"message":"Method not found"}}',
  '{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"role":"ROLE_USER","parts":[{"text":"hi"}]}}}',
];
const JSONRPC_CODES = new Set<number>(Object.values(JsonRpcCode));
const jsonRpc: Target = {
  name: 'mcp/a2a: JSON-RPC message parser',
  input: (rnd) => {
    if (rnd.chance(0.3)) return JSON.stringify(randomJson(rnd, 4));
    const text = mutateText(rnd, rnd.pick(JSONRPC_SEEDS));
    return rnd.chance(0.1) ? mutateBytes(rnd, Buffer.from(text)) : text;
  },
  run(input) {
    let outcome;
    try {
      outcome = parseMessage(input);
    } catch (err) {
      throw new Finding(`parseMessage threw ${String(err)}`);
    }
    if (!outcome.ok && !JSONRPC_CODES.has(outcome.code))
      throw new Finding(`unknown JSON-RPC code ${outcome.code}`);
    // The strict parser of client messages: the same, and only members JSON-RPC defines pass.
    let strict;
    try {
      strict = parseClientMessage(input);
    } catch (err) {
      throw new Finding(`parseClientMessage threw ${String(err)}`);
    }
    if (strict.ok && !outcome.ok) throw new Finding('parseClientMessage accepted what parseMessage refused');
    if (strict.ok)
      for (const k of Object.keys(strict.value.message))
        if (!['jsonrpc', 'id', 'method', 'params', 'result', 'error'].includes(k))
          throw new Finding(`parseClientMessage let member ${JSON.stringify(k)} through`);
  },
};

const A2A_SEEDS = [
  '{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":{"messageId":"m1","role":"ROLE_USER","parts":[{"text":"hi"}]},"configuration":{"blocking":true}}}',
  '{"jsonrpc":"2.0","id":"x","method":"message/send","params":{"message":{"kind":"message","messageId":"m1","role":"user","parts":[{"kind":"text","text":"hi"},{"kind":"data","data":{"a":1}},{"kind":"file","file":{"uri":"http://e/f","mimeType":"text/plain"}}]}}}',
  '{"jsonrpc":"2.0","id":2,"method":"GetTask","params":{"id":"t1","historyLength":3}}',
  '{"jsonrpc":"2.0","id":3,"method":"tasks/get","params":{"id":"t1","historyLength":3}}',
  '{"jsonrpc":"2.0","id":4,"method":"tasks/pushNotificationConfig/set","params":{"taskId":"t1","pushNotificationConfig":{"url":"http://e/p","token":"t","authentication":{"schemes":["Bearer"]}}}}',
  '{"jsonrpc":"2.0","id":5,"method":"ListTasks","params":{"pageSize":10,"contextId":"c"}}',
  '{"jsonrpc":"2.0","id":6,"method":"message/stream","params":{"message":{"kind":"message","messageId":"m2","role":"agent","taskId":"t","contextId":"c","parts":[{"kind":"text","text":"x"}],"metadata":{"k":"v"}}}}',
];
const a2aRequests: Target = {
  name: 'a2a: JSON-RPC requests, version conversion and the binding protobuf',
  input: (rnd) => {
    const rounds = 1 + rnd.below(3);
    let text = rnd.pick(A2A_SEEDS);
    for (let i = 0; i < rounds; i++) text = mutateText(rnd, text);
    return text;
  },
  run(input) {
    const allowed = (err: unknown, what: string) => {
      if (!(err instanceof A2aError)) throw new Finding(`${what} threw ${String(err)} (not an A2A error)`);
    };
    const parsed = parseRequest(String(input));
    if (!parsed.ok) return;
    const { op, version, params } = parsed.call;
    const side = sideOf(op, version);
    if (!side) return;
    let req;
    try {
      req = side.reqFromJson(params);
    } catch (err) {
      allowed(err, 'reqFromJson');
      return;
    }
    let v1;
    try {
      v1 = convertRequest(op, version, '1.0', req);
    } catch (err) {
      allowed(err, 'convertRequest to v1.0');
      return;
    }
    // What the route sends and the service reads: the v1.0 binding's protobuf, both ways.
    const bytes = toBinary(op.v1.req, v1);
    protoFromBinary(op.v1.req, bytes);
    try {
      side.reqToJson(req);
      if (op.v03) convertRequest(op, '1.0', '0.3', v1);
    } catch (err) {
      allowed(err, 'conversion back');
    }
  },
};

let configSeeds: string[] | undefined;
function configs(): string[] {
  if (!configSeeds) {
    const files = [join(REPO_ROOT, 'config', 'gateway.yaml')];
    const two = join(REPO_ROOT, 'examples', 'two-gateways');
    for (const f of readdirSync(two)) if (f.endsWith('.yaml')) files.push(join(two, f));
    configSeeds = files.map((f) => readFileSync(f, 'utf8'));
  }
  return configSeeds;
}
const config: Target = {
  name: 'config: YAML parser and schema',
  input: (rnd) => {
    let text = rnd.pick(configs());
    const rounds = 1 + rnd.below(3);
    for (let i = 0; i < rounds; i++) text = mutateText(rnd, text);
    return text;
  },
  run(input) {
    let result;
    try {
      result = parseConfig(String(input), {
        env: { SLIM_SHARED_SECRET: 'fuzz-secret-0123456789-0123456789-0123' },
        baseDir: REPO_ROOT,
        readFile: () => {
          throw new Error('no files while fuzzing');
        },
      });
    } catch (err) {
      throw new Finding(`parseConfig threw ${String(err)}`);
    }
    if (!result.ok) {
      if (result.problems.length === 0) throw new Finding('a failed parse reported no problem');
      for (const p of result.problems)
        if (typeof p.message !== 'string' || p.message === '')
          throw new Finding('a problem without a message');
    }
  },
};

export const targets: readonly Target[] = [
  publishFastPath,
  nodeInbound,
  mlsMessages,
  slimrpcFrames,
  jsonRpc,
  a2aRequests,
  config,
];
