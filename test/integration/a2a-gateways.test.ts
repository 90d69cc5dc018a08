// Integration: A2A through two gateway processes (examples/two-gateways): an @a2a-js/sdk client
// at the client side's route, the call carried over SLIM with MLS (through the server side's
// embedded node, or a reference node), the server side handing it to the example planner agent.
// The scenarios are those of the adapter tests (test/support/a2a-scenarios.ts). Then bad input at
// the gateway: each a clear JSON-RPC error, and the gateway still up and answering.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AgentCard } from '@a2a-js/sdk';
import { Client, ClientFactory } from '@a2a-js/sdk/client';
import { LegacyJsonRpcTransport } from '@a2a-js/sdk/compat/v0_3/client';
import { runExampleClient } from '../../examples/agents/client.js';
import { startTwoGateways } from '../support/a2a-gateways.js';
import type { TwoGateways } from '../support/a2a-gateways.js';
import * as s from '../support/a2a-scenarios.js';
import { until } from '../support/until.js';

/** Hang guard only (never a timing assertion). */
const T = { timeout: 120_000 };

interface RpcAnswer {
  id: unknown;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

async function rpc(url: string, body: string, headers: Record<string, string> = {}): Promise<RpcAnswer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  assert.equal(res.status, 200);
  return (await res.json()) as RpcAnswer;
}

const call = (method: string, params?: unknown, id: unknown = 1) =>
  JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });

const hello = (text = 'hi') => ({
  message: { messageId: crypto.randomUUID(), role: 'ROLE_USER', parts: [{ text }] },
});

async function v03Client(route: TwoGateways): Promise<Client> {
  const res = await fetch(`${route.url}/.well-known/agent-card.json`, { headers: { 'A2A-Version': '1.0' } });
  return new Client(new LegacyJsonRpcTransport({ endpoint: route.url }), (await res.json()) as AgentCard);
}

describe('two gateways through the server side embedded node, MLS on', () => {
  let gw: TwoGateways;
  before(async () => {
    gw = await startTwoGateways({ extraRoutes: '  - { path: /a2a/nobody, a2a: acme/demo/nobody }' });
  });
  after(() => gw.close());

  test('the card at the route is valid, points at the route and names the SLIMRPC interface', T, async () => {
    await s.localCardV1(gw);
  });

  describe('@a2a-js/sdk v1.0 client', () => {
    let client: Client;
    before(async () => {
      client = await new ClientFactory().createFromUrl(`${gw.url}/`);
    });
    test('SendMessage answered with a message', T, () => s.messageAnswer(client));
    test('SendMessage answered with a task', T, () => s.taskAnswer(client));
    test('SendStreamingMessage relays 23 events in order, each as it is produced', T, async () => {
      await s.streamInOrder(gw, client, 10);
    });
    test('GetTask, ListTasks, SubscribeToTask, push configs and CancelTask on a running task', T, () =>
      s.runningTaskOperations(gw, client, { listTasks: true }),
    );
    test('GetExtendedAgentCard returns the extended card, rewritten to the route', T, () =>
      s.extendedCard(gw, client),
    );
    test('an unknown task is TaskNotFoundError (-32001)', T, () => s.taskNotFound(client));
  });

  describe('@a2a-js/sdk v0.3 client (v0.3 method names)', () => {
    let client: Client;
    before(async () => {
      client = await v03Client(gw);
    });
    test('message/send answered with a message and with a task', T, async () => {
      await s.messageAnswer(client);
      await s.taskAnswer(client);
    });
    test('message/stream relays every event in order, as it is produced', T, async () => {
      await s.streamInOrder(gw, client, 10);
    });
    test('tasks/get, tasks/resubscribe, push configs and tasks/cancel on a running task', T, () =>
      s.runningTaskOperations(gw, client, { listTasks: false }),
    );
    test('an unknown task is TaskNotFoundError (-32001)', T, () => s.taskNotFound(client));
  });

  test('the example client (examples/agents/client.ts) works against the route', T, async () => {
    const lines: string[] = [];
    await runExampleClient(gw.url, (l) => lines.push(l));
    assert.equal(lines[1], 'message: You said: hello');
    assert.equal(lines.filter((l) => l.startsWith('artifact plan: ')).length, 3);
    assert.equal(lines.at(-1), 'status: completed Plan ready');
  });

  describe('bad input: a clear JSON-RPC error, and the gateway stays up', () => {
    test('malformed JSON is -32700, a batch or a non-request -32600', T, async () => {
      const bad = await rpc(gw.url, '{"jsonrpc":"2.0", "id": 1, "method":');
      assert.equal(bad.error?.code, -32700);
      assert.equal(bad.id, null);
      assert.equal((await rpc(gw.url, '[]')).error?.code, -32600);
      assert.equal(
        (await rpc(gw.url, '{"jsonrpc":"1.0","id":3,"method":"SendMessage"}')).error?.code,
        -32600,
      );
    });

    test('an unknown method is -32601, naming it', T, async () => {
      const r = await rpc(gw.url, call('tasks/explode', {}, 'x1'));
      assert.equal(r.id, 'x1');
      assert.equal(r.error?.code, -32601);
      assert.match(r.error!.message, /tasks\/explode/);
    });

    test('wrong params are -32602, naming the field, for both versions', T, async () => {
      const v1 = await rpc(gw.url, call('GetTask', {}));
      assert.equal(v1.error?.code, -32602);
      assert.match(v1.error!.message, /\bid\b/);
      const v03 = await rpc(gw.url, call('message/send', { message: { parts: 'nope' } }));
      assert.equal(v03.error?.code, -32602);
      assert.match(v03.error!.message, /params\.message\./);
      const typed = await rpc(gw.url, call('SendMessage', { message: 5 }));
      assert.equal(typed.error?.code, -32602);
    });

    test('an agent that is down: -32603 naming it (unary and streaming); then it recovers', T, async () => {
      await gw.stopAgent();
      try {
        const unary = await rpc(gw.url, call('SendMessage', hello()));
        assert.equal(unary.error?.code, -32603);
        assert.match(unary.error!.message, new RegExp(`A2A agent at ${gw.agent.url} is unreachable`));
        const stream = await rpc(gw.url, call('SendStreamingMessage', hello('plan x in 2 steps')), {
          accept: 'text/event-stream',
        });
        assert.equal(stream.error?.code, -32603);
        const card = await fetch(`${gw.url}/.well-known/agent-card.json?fresh`, {
          headers: { 'A2A-Version': '1.0' },
        });
        // A card cached from earlier may still be served; a fresh fetch fails with 503.
        assert.ok(card.status === 200 || card.status === 503, `card status ${card.status}`);
        await card.body?.cancel();
      } finally {
        await gw.startAgent();
      }
      const back = await rpc(gw.url, call('SendMessage', hello('again')));
      assert.equal(
        (back.result?.['message'] as { parts: { text: string }[] }).parts[0]!.text,
        'You said: again',
      );
    });

    test('a SLIM name nobody serves: -32603 saying so, card 503', T, async () => {
      const url = `${gw.url.replace(/\/a2a\/planner$/, '')}/a2a/nobody`;
      // Both at once: each waits for the session set-up to give up.
      const [r, card] = await Promise.all([
        rpc(url, call('GetTask', { id: 't' })),
        fetch(`${url}/.well-known/agent-card.json`),
      ]);
      assert.equal(r.error?.code, -32603);
      assert.match(r.error!.message, /acme\/demo\/nobody/);
      assert.equal(card.status, 503);
      assert.match(((await card.json()) as { error: string }).error, /acme\/demo\/nobody/);
    });

    test('the server side restarting (node and all): the route recovers by itself', T, async () => {
      await gw.restartServer();
      // Calls may fail while the client side finds its session gone; each failure is a JSON-RPC
      // error, and the route answers again without the client side restarting.
      const errors: string[] = [];
      await until(
        async () => {
          const r = await rpc(gw.url, call('SendMessage', hello('back?')));
          if (r.error) errors.push(`${r.error.code} ${r.error.message}`);
          return r.result !== undefined;
        },
        'the route to answer again',
        90_000,
      );
      assert.ok(
        errors.every((e) => e.startsWith('-32603 ')),
        errors.join('\n'),
      );
    });

    test('after all that, both gateways are up and the route answers', T, async () => {
      for (const side of [gw.client, gw.server]) {
        assert.equal(side.child.proc.exitCode, null);
        assert.equal((await fetch(`${side.url}/healthz`)).status, 200);
      }
      assert.equal((await fetch(`${gw.server.url}/readyz`)).status, 200);
      const client = await new ClientFactory().createFromUrl(`${gw.url}/`);
      await s.messageAnswer(client);
    });
  });
});

describe('two gateways through a reference SLIM node, MLS on', () => {
  let gw: TwoGateways;
  let client: Client;
  before(async () => {
    gw = await startTwoGateways({ node: 'reference' });
    client = await new ClientFactory().createFromUrl(`${gw.url}/`);
  });
  after(() => gw.close());

  test('the card, SendMessage (message and task), TaskNotFound', T, async () => {
    await s.localCardV1(gw);
    await s.messageAnswer(client);
    await s.taskAnswer(client);
    await s.taskNotFound(client);
  });
  test('SendStreamingMessage relays 23 events in order, each as it is produced', T, async () => {
    await s.streamInOrder(gw, client, 10);
  });
  test('operations on a running task', T, () => s.runningTaskOperations(gw, client, { listTasks: true }));
});
