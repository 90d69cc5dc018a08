// Interop of SLIMRPC with the reference (bindings 2.1.2, core 2.2.0), MLS on, through our node and
// through the reference node: our channel calling a reference `Server` (raw-bytes handlers), and a
// reference `Channel` calling our server — all four patterns, metadata seen by the handler, error
// codes and messages, a zero-byte response, an expired deadline, an unknown method. Reference
// calls are issued one at a time (docs/slimrpc.md#limits). Fails, never skips, when the
// reference cannot load.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseName } from '../../src/slim/dataplane/name.js';
import { createChannel, createRpcServer, RpcError, StatusCode } from '../../src/slim/rpc/index.js';
import type { RpcClient, SlimRpcServer } from '../../src/slim/rpc/index.js';
import type { SlimApp } from '../../src/slim/session/index.js';
import type { ReferencePeer } from '../support/reference.js';
import {
  refBidi,
  refClientStream,
  refServerStream,
  refUnary,
  referenceRpcClient,
  referenceRpcServer,
} from '../support/reference-rpc.js';
import type { RefResult } from '../support/reference-rpc.js';
import { startNode } from '../support/reference-sessions.js';
import type { NodeFixture, NodeKind } from '../support/reference-sessions.js';
import { testService } from '../support/rpc-contract.js';
import { makeApp } from '../support/session-apps.js';

/** Hang guard only (never a timing assertion). */
const HANG_GUARD = { timeout: 120_000 };

const te = new TextEncoder();
const td = new TextDecoder();

async function* items(...xs: string[]): AsyncIterable<Uint8Array> {
  for (const x of xs) yield te.encode(x);
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<string[]> {
  const out: string[] = [];
  for await (const x of it) out.push(td.decode(x));
  return out;
}

const isStatus = (code: StatusCode, message?: string | RegExp) => (e: unknown) => {
  assert.ok(e instanceof RpcError, String(e));
  assert.equal(e.status, code, e.message);
  if (typeof message === 'string') assert.equal(e.message, message);
  else if (message) assert.match(e.message, message);
  return true;
};

function ok<T>(r: RefResult<T>): T {
  assert.ok(r.ok, `reference call failed: ${JSON.stringify(r)}`);
  return r.value;
}

function failed<T>(r: RefResult<T>, code: StatusCode, message?: string | RegExp): void {
  assert.equal(r.ok, false, `expected a failure, got ${JSON.stringify(r)}`);
  if (r.ok) return;
  assert.equal(r.code, code, r.message);
  if (typeof message === 'string') assert.equal(r.message, message);
  else if (message) assert.match(r.message, message);
}

for (const kind of ['ours', 'reference'] as NodeKind[]) {
  describe(`SLIMRPC with the reference, MLS on, through ${kind === 'ours' ? 'our' : 'the reference'} node`, () => {
    let node: NodeFixture;
    let refServer: ReferencePeer;
    let refClient: ReferencePeer;
    let serverApp: SlimApp;
    let clientApp: SlimApp;
    let server: SlimRpcServer;
    let channel: RpcClient;

    test('set up: node, reference server and client, our server and client', HANG_GUARD, async () => {
      node = await startNode(kind);
      serverApp = await makeApp({ name: 'org/ns/oursrv', link: node.link(), mls: true });
      clientApp = await makeApp({ name: 'org/ns/ourcli', link: node.link(), mls: true });
      server = createRpcServer(serverApp, { services: [testService()] });
      [refServer, refClient] = await Promise.all([
        referenceRpcServer('refsrv', node.endpoint),
        referenceRpcClient('refcli', node.endpoint, 'oursrv'),
      ]);
      channel = createChannel(clientApp, parseName('org/ns/refsrv'));
    });

    test(
      'our channel calls a reference server: four patterns, metadata, zero bytes',
      HANG_GUARD,
      async () => {
        const echo = await channel.unary('test.Contract', 'Echo', te.encode('hi'), {
          metadata: { who: 'us' },
          timeoutMs: 30_000,
        });
        assert.equal(td.decode(echo), 'us:hi');
        const meta = JSON.parse(
          td.decode(
            await channel.unary('test.Contract', 'Meta', te.encode(''), { metadata: { 'x-trace': 't1' } }),
          ),
        ) as Record<string, string>;
        assert.equal(meta['x-trace'], 't1');
        assert.equal(meta['service'], 'test.Contract');
        assert.equal(meta['method'], 'Meta');
        assert.equal(meta['slimrpc-dir'], 'req');
        assert.match(meta['rpc-id'] ?? '', /^[0-9a-f-]{36}$/);
        assert.ok(Number(meta['slimrpc-timeout']) > Date.now() / 1000);
        assert.deepEqual(await collect(channel.serverStream('test.Contract', 'Count', te.encode('5'))), [
          '0',
          '1',
          '2',
          '3',
          '4',
        ]);
        assert.deepEqual(await collect(channel.serverStream('test.Contract', 'Count', te.encode('0'))), []);
        assert.equal(
          td.decode(await channel.clientStream('test.Contract', 'Sum', items('1', '2', '39'))),
          '42',
        );
        assert.equal(td.decode(await channel.clientStream('test.Contract', 'Sum', items())), '0');
        assert.deepEqual(await collect(channel.bidiStream('test.Contract', 'Upper', items('a', 'b', 'c'))), [
          'A',
          'B',
          'C',
        ]);
        assert.equal((await channel.unary('test.Contract', 'Empty', te.encode('x'))).length, 0);
      },
    );

    test(
      'our channel calls a reference server: errors, expired deadline, unknown method',
      HANG_GUARD,
      async () => {
        await assert.rejects(
          channel.unary('test.Contract', 'Fail', te.encode('')),
          isStatus(StatusCode.NOT_FOUND, 'TaskNotFoundError: t1'),
        );
        await assert.rejects(
          channel.unary('test.Contract', 'Echo', te.encode(''), {
            metadata: { 'slimrpc-timeout': String(Date.now() / 1000 - 5) },
          }),
          isStatus(StatusCode.DEADLINE_EXCEEDED, 'Deadline exceeded'),
        );
        await assert.rejects(
          channel.unary('test.Contract', 'Nope', te.encode('')),
          isStatus(StatusCode.UNIMPLEMENTED, 'Method not found: test.Contract/Nope'),
        );
        await assert.rejects(
          channel.unary('test.Contract', 'Slow', te.encode(''), { timeoutMs: 500 }),
          isStatus(StatusCode.DEADLINE_EXCEEDED),
        );
        // The channel is still usable after all that.
        assert.equal(td.decode(await channel.unary('test.Contract', 'Echo', te.encode('again'))), ':again');
      },
    );

    test(
      'a reference channel calls our server: four patterns, metadata, zero bytes',
      HANG_GUARD,
      async () => {
        assert.equal(
          ok(await refUnary(refClient, { method: 'Echo', text: 'hi', metadata: { who: 'ref' } })),
          'ref:hi',
        );
        const meta = JSON.parse(
          ok(await refUnary(refClient, { method: 'Meta', metadata: { 'x-trace': 't2' }, timeoutMs: 30_000 })),
        ) as Record<string, string>;
        assert.equal(meta['x-trace'], 't2');
        assert.equal(meta['service'], 'test.Contract');
        assert.equal(meta['method'], 'Meta');
        assert.equal(meta['slimrpc-dir'], 'req');
        assert.ok(Math.abs(Number(meta['slimrpc-timeout']) - (Date.now() + 30_000) / 1000) < 30);
        assert.deepEqual(ok(await refServerStream(refClient, { method: 'Count', text: '4' })), [
          '0',
          '1',
          '2',
          '3',
        ]);
        assert.deepEqual(ok(await refServerStream(refClient, { method: 'Count', text: '0' })), []);
        assert.equal(ok(await refClientStream(refClient, { method: 'Sum', items: ['5', '6'] })), '11');
        assert.equal(ok(await refClientStream(refClient, { method: 'Sum', items: [] })), '0');
        assert.deepEqual(ok(await refBidi(refClient, { method: 'Upper', items: ['x', 'y'] })), ['X', 'Y']);
        assert.equal(ok(await refUnary(refClient, { method: 'Empty', text: 'x' })), '');
      },
    );

    test(
      'a reference channel calls our server: errors, expired deadline, unknown method',
      HANG_GUARD,
      async () => {
        failed(await refUnary(refClient, { method: 'Fail' }), StatusCode.NOT_FOUND, 'TaskNotFoundError: t1');
        failed(await refUnary(refClient, { method: 'Throw' }), StatusCode.INTERNAL, 'boom');
        failed(
          await refUnary(refClient, {
            method: 'Echo',
            metadata: { 'slimrpc-timeout': String(Date.now() / 1000 - 5) },
          }),
          StatusCode.DEADLINE_EXCEEDED,
          'Deadline exceeded',
        );
        failed(await refUnary(refClient, { method: 'Slow', timeoutMs: 500 }), StatusCode.DEADLINE_EXCEEDED);
        failed(
          await refUnary(refClient, { method: 'Nope' }),
          StatusCode.UNIMPLEMENTED,
          'Method not found: test.Contract/Nope',
        );
        const got = await refServerStream(refClient, { method: 'CountThenFail' });
        failed(got, StatusCode.ABORTED, 'stopped after two');
        assert.equal(ok(await refUnary(refClient, { method: 'Echo', text: 'still fine' })), ':still fine');
      },
    );

    test('tear down', HANG_GUARD, async () => {
      await channel?.close();
      await server?.close();
      await Promise.all([refServer?.stop(), refClient?.stop()]);
      await Promise.all([serverApp?.close(), clientApp?.close()]);
      await node?.close();
    });
  });
}
