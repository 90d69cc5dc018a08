// Component: the A2A SLIMRPC binding as peers see it. A remote that registers only one of the two
// A2A services is still reached (the other version is tried on UNIMPLEMENTED, then remembered);
// service parameters travel as metadata (`a2a-version`, `a2a-extensions`, `X-A2A-Extensions`)
// and reach the agent as headers; DeleteTaskPushNotificationConfig answers zero bytes and a peer
// that loses them (pre-2.1 "No response received") still means success to the client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryRpcNetwork } from '../support/memory-rpc.js';
import { RpcError, StatusCode } from '../../src/slim/rpc/status.js';
import type { CallOptions, RpcClient } from '../../src/slim/rpc/types.js';
import { createA2aIngress, createA2aService } from '../../src/adapters/a2a/index.js';
import { AGENT_NAME, CALLER_NAME, startChain, untilAborted } from '../support/a2a-chain.js';
import { startEdge } from '../support/a2a-edge.js';

interface Seen {
  service: string;
  method: string;
  metadata: Record<string, string>;
}

function recording(seen: Seen[]): (client: RpcClient) => RpcClient {
  return (client) => ({
    target: client.target,
    unary: (service, method, req, o?: CallOptions) => {
      seen.push({ service, method, metadata: o?.metadata ?? {} });
      return client.unary(service, method, req, o);
    },
    serverStream: (service, method, req, o?: CallOptions) => {
      seen.push({ service, method, metadata: o?.metadata ?? {} });
      return client.serverStream(service, method, req, o);
    },
    clientStream: (s, m, r, o) => client.clientStream(s, m, r, o),
    bidiStream: (s, m, r, o) => client.bidiStream(s, m, r, o),
    close: () => client.close(),
  });
}

const rpc = async (url: string, method: string, params: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return (await res.json()) as {
    result?: Record<string, unknown>;
    error?: { code: number; message: string };
  };
};
const hello = { message: { messageId: 'm1', role: 'ROLE_USER', parts: [{ text: 'hello' }] } };
const helloV03 = {
  message: { kind: 'message', messageId: 'm1', role: 'user', parts: [{ kind: 'text', text: 'hi' }] },
};

test('a v1.0 call to a remote serving only a2a.v1 (v0.3) falls back, then goes straight there', async () => {
  const seen: Seen[] = [];
  const chain = await startChain({ register: '0.3', wrapClient: recording(seen) });
  try {
    const first = await rpc(chain.url, 'SendMessage', hello);
    assert.ok(first.result?.['message'], JSON.stringify(first));
    assert.deepEqual(
      seen.map((s) => `${s.service}/${s.method}`),
      ['lf.a2a.v1.A2AService/SendMessage', 'a2a.v1.A2AService/SendMessage'],
    );
    const second = await rpc(chain.url, 'SendMessage', hello);
    assert.ok(second.result?.['message']);
    assert.equal(seen.at(-1)!.service, 'a2a.v1.A2AService');
    assert.equal(seen.length, 3, 'the missing v1.0 service is remembered');
    assert.equal(seen.at(-1)!.metadata['a2a-version'], '0.3');
  } finally {
    await chain.close();
  }
});

test('a v0.3 call to a remote serving only lf.a2a.v1 (v1.0) falls back too, streams included', async () => {
  const seen: Seen[] = [];
  const chain = await startChain({ register: '1.0', wrapClient: recording(seen) });
  try {
    const answer = await rpc(chain.url, 'message/send', helloV03);
    assert.equal(answer.result?.['kind'], 'message');
    const res = await fetch(chain.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'message/stream',
        params: { message: { ...helloV03.message, parts: [{ kind: 'text', text: 'plan x in 1 step' }] } },
      }),
    });
    const kinds = (await res.text())
      .split('\n\n')
      .filter((b) => b.startsWith('data: '))
      .map((b) => (JSON.parse(b.slice(6)) as { result: { kind: string } }).result.kind);
    assert.deepEqual(kinds, ['task', 'status-update', 'status-update', 'artifact-update', 'status-update']);
    assert.deepEqual(
      seen.map((s) => s.service),
      ['a2a.v1.A2AService', 'lf.a2a.v1.A2AService', 'lf.a2a.v1.A2AService'],
    );
  } finally {
    await chain.close();
  }
});

test('an A2A error that maps to UNIMPLEMENTED is not mistaken for a missing service', async () => {
  const seen: Seen[] = [];
  const chain = await startChain({ agent: { versions: ['0.3'] }, wrapClient: recording(seen) });
  try {
    const answer = await rpc(chain.url, 'ListTasks', {});
    assert.equal(answer.error?.code, -32004);
    assert.deepEqual(
      seen.map((s) => s.service),
      ['lf.a2a.v1.A2AService'],
    );
  } finally {
    await chain.close();
  }
});

test('service parameters cross SLIM as metadata and reach the agent as headers', async () => {
  const headers: Record<string, string | string[] | undefined>[] = [];
  const agent = createServer((req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          name: 'fake',
          description: 'd',
          version: '1',
          supportedInterfaces: [{ url: 'http://x', protocolBinding: 'JSONRPC', protocolVersion: '1.0' }],
          capabilities: {},
          skills: [],
        }),
      );
      return;
    }
    headers.push(req.headers);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: 1, result: null }));
    });
  });
  await new Promise<void>((r) => agent.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(agent.address() as AddressInfo).port}`;
  const seen: Seen[] = [];
  const net = new MemoryRpcNetwork();
  const server = net.server(AGENT_NAME);
  const service = createA2aService({ name: AGENT_NAME, url });
  service.services.forEach((s) => server.register(s));
  const ingress = createA2aIngress({
    route: '/a2a/fake',
    target: AGENT_NAME,
    client: recording(seen)(net.client(AGENT_NAME, CALLER_NAME)),
  });
  const edge = await startEdge({ '/a2a/fake': ingress.handler });
  try {
    const answer = await rpc(
      edge.url('/a2a/fake'),
      'DeleteTaskPushNotificationConfig',
      { taskId: 't1', id: 'c1' },
      {
        'A2A-Extensions': 'urn:ext:one',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      },
    );
    assert.deepEqual(answer, { jsonrpc: '2.0', id: 1, result: null });
    assert.equal(seen[0]!.metadata['a2a-version'], '1.0');
    assert.equal(seen[0]!.metadata['a2a-extensions'], 'urn:ext:one');
    assert.equal(seen[0]!.metadata['X-A2A-Extensions'], 'urn:ext:one');
    assert.equal(headers[0]!['a2a-version'], '1.0');
    assert.equal(headers[0]!['a2a-extensions'], 'urn:ext:one');
    assert.match(String(headers[0]!['traceparent']), /^00-0af7/);
    assert.equal(headers[0]!['authorization'], undefined);
    // The zero-byte answer on the SLIM side:
    const bytes = await net
      .client(AGENT_NAME, CALLER_NAME)
      .unary(
        'lf.a2a.v1.A2AService',
        'DeleteTaskPushNotificationConfig',
        new Uint8Array([0x12, 0x02, 0x74, 0x31, 0x1a, 0x02, 0x63, 0x31]),
      );
    assert.equal(bytes.length, 0);
  } finally {
    await edge.close();
    await ingress.close();
    await server.close();
    await service.close();
    await new Promise<void>((r) => agent.close(() => r()));
  }
});

test('a lost zero-byte answer (pre-2.1 peer: "No response received") is success for Delete only', async () => {
  const lossy: RpcClient = {
    target: AGENT_NAME,
    unary: () => Promise.reject(new RpcError(StatusCode.INTERNAL, 'No response received')),
    serverStream: () => {
      throw new Error('unused');
    },
    clientStream: () => Promise.reject(new Error('unused')),
    bidiStream: () => {
      throw new Error('unused');
    },
    close: () => Promise.resolve(),
  };
  const ingress = createA2aIngress({ route: '/a2a/lossy', target: AGENT_NAME, client: lossy });
  const edge = await startEdge({ '/a2a/lossy': ingress.handler });
  try {
    const del = await rpc(edge.url('/a2a/lossy'), 'tasks/pushNotificationConfig/delete', {
      id: 't1',
      pushNotificationConfigId: 'c1',
    });
    assert.equal(del.result, null);
    assert.equal(del.error, undefined);
    const get = await rpc(edge.url('/a2a/lossy'), 'GetTask', { id: 't1' });
    assert.equal(get.error?.code, -32603);
    assert.match(get.error.message, /No response received/);
  } finally {
    await edge.close();
    await ingress.close();
  }
});

test('a quiet stream carries SSE keepalive comments (X-Accel-Buffering: no) until the task moves', async () => {
  const chain = await startChain();
  chain.pacing = (_t, i, signal) => (i >= 2 ? untilAborted(signal) : Promise.resolve());
  try {
    const started = await rpc(chain.url, 'SendMessage', {
      message: { messageId: 'k1', role: 'ROLE_USER', parts: [{ text: 'plan a wait in 2 steps' }] },
      configuration: { returnImmediately: true },
    });
    const id = (started.result?.['task'] as { id: string }).id;
    const abort = new AbortController();
    const res = await fetch(chain.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'SubscribeToTask', params: { id } }),
      signal: abort.signal,
    });
    assert.equal(res.headers.get('x-accel-buffering'), 'no');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes(': keepalive')) {
      const { done, value } = await reader.read();
      assert.ok(!done, 'the stream stays open');
      text += value;
    }
    assert.match(text, /^data: \{"jsonrpc":"2.0","id":5,"result":/);
    abort.abort();
    await reader.cancel().catch(() => {});
    const cancelled = await rpc(chain.url, 'CancelTask', { id });
    assert.equal((cancelled.result?.['status'] as { state: string }).state, 'TASK_STATE_CANCELED');
  } finally {
    await chain.close();
  }
});
