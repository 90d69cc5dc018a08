// Component: a route's `Request` ends on the JSON-RPC response (docs/mcp-over-slimrpc.md §2, ending
// on the response), over real SLIMRPC on an MLS session through our node. The route says so in its
// metadata and its call is over before it hands the response on, so a front that stops reading at
// the response (as the HTTP and stdio fronts do) holds no call slot afterwards; a server that
// leaves out the EOS (ours, when asked) and one that sends it anyway (any other) both serve it.
// The channel below has a single call slot. The first request's deadline is long, the others'
// short: a first call left open would hold the slot, and the next request would fail on its
// deadline while waiting for it.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createMcpService, MCP_SERVICE } from '../../src/adapters/mcp/index.js';
import { IngressRelay } from '../../src/adapters/mcp/ingress/relay.js';
import type { JsonRpcRequest } from '../../src/adapters/mcp/jsonrpc.js';
import { parseName } from '../../src/slim/dataplane/name.js';
import { SlimNode } from '../../src/slim/node/index.js';
import { createChannel, createRpcServer } from '../../src/slim/rpc/index.js';
import type { ServiceDefinition } from '../../src/slim/rpc/index.js';
import { silentLogger } from '../../src/util/log.js';
import { testStdioBackend } from '../support/mcp/gateway.js';
import { makeApp } from '../support/session-apps.js';

const SERVER = 'acme/demo/tools';
const td = new TextDecoder();
const te = new TextEncoder();
const timeouts = (ms: number) => ({ requestTimeoutMs: ms, notifyTimeoutMs: ms, listenTimeoutMs: ms });

async function relaysTo(
  t: TestContext,
  services: ServiceDefinition[],
): Promise<{ patient: IngressRelay; hasty: IngressRelay }> {
  const node = await SlimNode.create({});
  const serverApp = await makeApp({ name: SERVER, link: node.connectInProcess(), mls: true });
  const server = createRpcServer(serverApp, { services, logger: silentLogger });
  const clientApp = await makeApp({ name: 'acme/demo/route', link: node.connectInProcess(), mls: true });
  const channel = createChannel(clientApp, parseName(SERVER), {
    mls: true,
    maxConcurrentCalls: 1,
    logger: silentLogger,
  });
  t.after(async () => {
    await channel.close();
    await server.close(0);
    await Promise.all([clientApp.close(), serverApp.close()]);
    await node.close();
  });
  return {
    patient: new IngressRelay(channel, silentLogger, timeouts(600_000)),
    hasty: new IngressRelay(channel, silentLogger, timeouts(5_000)),
  };
}

/** Reads a request's frames up to its response and stops there, without ending the iteration. */
async function untilResponse(relay: IngressRelay, id: number): Promise<unknown> {
  const request: JsonRpcRequest = { jsonrpc: '2.0', id, method: 'tools/list' };
  const lane = { sessionId: undefined, protocolVersion: undefined };
  const frames = relay.request(request, lane, new AbortController().signal);
  const it = frames[Symbol.asyncIterator]();
  for (;;) {
    const r = await it.next();
    assert.ok(!r.done, `request ${id} ended without a response`);
    if (r.value.message.kind === 'response') return r.value.message.message;
  }
}

test('a route ends each Request on its response, with our service (no EOS sent)', async (t) => {
  const service = createMcpService({ name: parseName(SERVER), backend: testStdioBackend() });
  t.after(() => service.close());
  const { patient, hasty } = await relaysTo(t, [service.service]);
  for (let id = 1; id <= 3; id++) {
    const response = (await untilResponse(id === 1 ? patient : hasty, id)) as {
      id: number;
      result?: { tools?: unknown[] };
    };
    assert.equal(response.id, id);
    assert.ok(Array.isArray(response.result?.tools), 'a tools/list result');
  }
});

test('a route ends each Request on its response, with a server that sends the EOS anyway', async (t) => {
  const seen: (string | undefined)[] = [];
  const service: ServiceDefinition = {
    name: MCP_SERVICE,
    methods: {
      // A server that knows nothing of the agreement: a notification, the response, the EOS.
      Request: {
        kind: 'serverStream',
        handler: async function* (request, ctx) {
          seen.push(ctx.metadata['mcp-response-ends-call']);
          const { id } = JSON.parse(td.decode(request)) as { id: number };
          yield te.encode(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: {} }));
          yield te.encode(JSON.stringify({ jsonrpc: '2.0', id, result: { tools: [] } }));
        },
      },
    },
  };
  const { patient, hasty } = await relaysTo(t, [service]);
  for (let id = 1; id <= 3; id++)
    assert.deepEqual(await untilResponse(id === 1 ? patient : hasty, id), {
      jsonrpc: '2.0',
      id,
      result: { tools: [] },
    });
  assert.deepEqual(seen, ['1', '1', '1'], 'every Request says the response ends it');
});
