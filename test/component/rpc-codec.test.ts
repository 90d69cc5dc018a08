// Component: typed SLIMRPC through codecs (src/slim/rpc/codec.ts), protobuf binary and JSON, over
// SLIMRPC on in-memory sessions: values round-trip in all four patterns; undecodable requests are
// INVALID_ARGUMENT, undecodable responses INTERNAL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create } from '@bufbuild/protobuf';
import { NameSchema } from '../../src/slim/proto/index.js';
import type { Name } from '../../src/slim/proto/index.js';
import {
  createChannel,
  createRpcServer,
  protobufCodec,
  StatusCode,
  typed,
  typedClient,
} from '../../src/slim/rpc/index.js';
import type { Codec, RpcError } from '../../src/slim/rpc/index.js';
import { parseName } from '../../src/slim/dataplane/name.js';
import { MemorySessionNetwork } from '../support/memory-sessions.js';

const names = protobufCodec(NameSchema);
const json: Codec<{ n: number }> = {
  encode: (v) => new TextEncoder().encode(JSON.stringify(v)),
  decode: (b) => JSON.parse(new TextDecoder().decode(b)) as { n: number },
};
const nameOf = (app: string): Name =>
  create(NameSchema, { strName: { strComponent0: 'o', strComponent1: 'n', strComponent2: app } });

async function* of<T>(...xs: T[]): AsyncIterable<T> {
  for (const x of xs) yield x;
}

test('typed calls round-trip protobuf and JSON values in all four patterns', async (t) => {
  const net = new MemorySessionNetwork();
  const server = createRpcServer(net.app('acme/demo/typed'), {
    services: [
      {
        name: 'test.Typed',
        methods: {
          Rename: typed(names, names, {
            kind: 'unary',
            handler: (n) => Promise.resolve(nameOf(`${n.strName?.strComponent2 ?? ''}!`)),
          }),
          Count: typed(json, json, {
            kind: 'serverStream',
            async *handler(v) {
              for (let i = 0; i < v.n; i++) yield { n: i };
            },
          }),
          Sum: typed(json, json, {
            kind: 'clientStream',
            async handler(vs) {
              let n = 0;
              for await (const v of vs) n += v.n;
              return { n };
            },
          }),
          Double: typed(json, json, {
            kind: 'bidiStream',
            async *handler(vs) {
              for await (const v of vs) yield { n: v.n * 2 };
            },
          }),
        },
      },
    ],
  });
  const raw = createChannel(net.app('acme/demo/caller'), parseName('acme/demo/typed'));
  t.after(() => Promise.all([raw.close(), server.close()]));
  const c = typedClient(raw, 'test.Typed');
  const renamed = await c.unary('Rename', names, names, nameOf('x'));
  assert.equal(renamed.strName?.strComponent2, 'x!');
  const counted: number[] = [];
  for await (const v of c.serverStream('Count', json, json, { n: 3 })) counted.push(v.n);
  assert.deepEqual(counted, [0, 1, 2]);
  assert.deepEqual(await c.clientStream('Sum', json, json, of({ n: 1 }, { n: 41 })), { n: 42 });
  const doubled: number[] = [];
  for await (const v of c.bidiStream('Double', json, json, of({ n: 1 }, { n: 5 }))) doubled.push(v.n);
  assert.deepEqual(doubled, [2, 10]);

  // Bytes that are not a request: INVALID_ARGUMENT from the server.
  await assert.rejects(
    raw.unary('test.Typed', 'Sum', new Uint8Array([0xff])),
    (e: RpcError) => e.status === StatusCode.INVALID_ARGUMENT && /cannot decode the request/.test(e.message),
  );
  // A response that is not what the caller expects: INTERNAL on the caller's side.
  await assert.rejects(
    c.unary('Rename', names, json, nameOf('y')),
    (e: RpcError) => e.status === StatusCode.INTERNAL && /cannot decode the response/.test(e.message),
  );
});
