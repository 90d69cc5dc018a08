// Component: the A2A v0.3 method names through the local route. The @a2a-js/sdk v0.3 compat
// client (LegacyJsonRpcTransport: message/send, message/stream, tasks/get, tasks/cancel,
// tasks/resubscribe, tasks/pushNotificationConfig/*, agent/getAuthenticatedExtendedCard) reaches
// agents speaking v1.0 and v0.3, v1.0 only, or v0.3 only (the SDK's v0.3 server); raw v0.3
// JSON-RPC shows the v0.3 shapes (kind discriminators, kebab-case states, `final`).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@a2a-js/sdk/client';
import type { AgentCard } from '@a2a-js/sdk';
import { LegacyJsonRpcTransport } from '@a2a-js/sdk/compat/v0_3/client';
import { startChain, untilAborted } from '../support/a2a-chain.js';
import type { Chain } from '../support/a2a-chain.js';
import * as s from '../support/a2a-scenarios.js';

const T = { timeout: 60_000 };
const AGENTS: ('1.0' | '0.3')[][] = [['1.0', '0.3'], ['1.0'], ['0.3']];

async function v03Client(chain: Chain): Promise<Client> {
  const res = await fetch(`${chain.url}/.well-known/agent-card.json`, { headers: { 'A2A-Version': '1.0' } });
  const card = (await res.json()) as AgentCard;
  return new Client(new LegacyJsonRpcTransport({ endpoint: chain.url }), card);
}

async function rpc(chain: Chain, method: string, params?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(chain.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 'r1', method, params }),
  });
  assert.equal(res.status, 200);
  return (await res.json()) as Record<string, unknown>;
}

const v03Message = (text: string) => ({
  kind: 'message',
  messageId: crypto.randomUUID(),
  role: 'user',
  parts: [{ kind: 'text', text }],
});

for (const versions of AGENTS) {
  describe(`v0.3 client, agent speaking ${versions.join(' and ')}`, () => {
    let chain: Chain;
    let client: Client;
    before(async () => {
      chain = await startChain({ agent: { versions } });
      client = await v03Client(chain);
    });
    after(() => chain.close());

    test('message/send answered with a message', T, () => s.messageAnswer(client));
    test('message/send answered with a task', T, () => s.taskAnswer(client));
    test('message/stream relays every event in order, as it is produced', T, async () => {
      await s.streamInOrder(chain, client);
    });
    test('tasks/get, tasks/resubscribe, push configs and tasks/cancel on a running task', T, () =>
      s.runningTaskOperations(chain, client, { listTasks: false }),
    );
    test('agent/getAuthenticatedExtendedCard returns the extended card, rewritten', T, () =>
      s.extendedCard(chain, client),
    );
    test('an unknown task is TaskNotFoundError (-32001)', T, () => s.taskNotFound(client));

    test('raw v0.3 JSON: kinds, kebab-case states, final flag', T, async () => {
      const msg = await rpc(chain, 'message/send', { message: v03Message('hi') });
      assert.equal((msg['result'] as Record<string, unknown>)['kind'], 'message');
      const task = (await rpc(chain, 'message/send', { message: v03Message('plan tea in 1 step') }))[
        'result'
      ] as Record<string, unknown>;
      assert.equal(task['kind'], 'task');
      assert.equal((task['status'] as Record<string, unknown>)['state'], 'completed');
      const got = (await rpc(chain, 'tasks/get', { id: task['id'] }))['result'] as Record<string, unknown>;
      assert.equal(got['id'], task['id']);
      assert.equal(got['kind'], 'task');

      const res = await fetch(chain.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 7,
          method: 'message/stream',
          params: { message: v03Message('plan soup in 2 steps') },
        }),
      });
      assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
      assert.equal(res.headers.get('x-accel-buffering'), 'no');
      const events = (await res.text())
        .split('\n\n')
        .filter((b) => b.startsWith('data: '))
        .map((b) => JSON.parse(b.slice(6)) as { id: number; result: Record<string, unknown> });
      assert.ok(events.every((e) => e.id === 7));
      assert.deepEqual(
        events.map((e) => e.result['kind']),
        [
          'task',
          'status-update',
          'status-update',
          'artifact-update',
          'status-update',
          'artifact-update',
          'status-update',
        ],
      );
      const last = events.at(-1)!.result;
      assert.equal((last['status'] as Record<string, unknown>)['state'], 'completed');
      assert.equal(last['final'], true);
      assert.equal(events[1]!.result['final'], false);
    });

    test('raw v0.3 JSON: tasks/resubscribe of an unknown task is -32001', T, async () => {
      const answer = await rpc(chain, 'tasks/resubscribe', { id: 'nope' });
      assert.equal((answer['error'] as Record<string, unknown>)['code'], -32001);
      assert.equal(answer['id'], 'r1');
    });

    test('raw v0.3 JSON: tasks/cancel of a held task answers canceled', T, async () => {
      chain.pacing = (_t, i, signal) => (i >= 2 ? untilAborted(signal) : Promise.resolve());
      try {
        const started = await rpc(chain, 'message/send', {
          message: v03Message('plan a nap in 3 steps'),
          configuration: { blocking: false },
        });
        const id = (started['result'] as Record<string, unknown>)['id'];
        const cancelled = (await rpc(chain, 'tasks/cancel', { id }))['result'] as Record<string, unknown>;
        assert.equal((cancelled['status'] as Record<string, unknown>)['state'], 'canceled');
      } finally {
        chain.pacing = () => Promise.resolve();
      }
    });
  });
}
