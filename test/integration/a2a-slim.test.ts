// Integration: A2A end to end over the real SLIM stack. An @a2a-js/sdk client calls the local
// route; the ingress carries each call as the A2A SLIMRPC binding over a real SLIMRPC channel
// (our embedded node, SLIM sessions, MLS on) to our SLIMRPC server, where the A2A service hands
// it to an @a2a-js/sdk agent. The scenarios are those of the component tests
// (test/support/a2a-scenarios.ts), run with the v1.0 method names and the v0.3 ones.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, ClientFactory } from '@a2a-js/sdk/client';
import type { AgentCard } from '@a2a-js/sdk';
import { LegacyJsonRpcTransport } from '@a2a-js/sdk/compat/v0_3/client';
import { startChain } from '../support/a2a-chain.js';
import { slimTransport } from '../support/a2a-transport.js';
import type { Chain } from '../support/a2a-chain.js';
import * as s from '../support/a2a-scenarios.js';
import { until } from '../support/until.js';

/** Hang guard only (never a timing assertion). */
const T = { timeout: 120_000 };

async function v03Client(chain: Chain): Promise<Client> {
  const res = await fetch(`${chain.url}/.well-known/agent-card.json`, { headers: { 'A2A-Version': '1.0' } });
  return new Client(new LegacyJsonRpcTransport({ endpoint: chain.url }), (await res.json()) as AgentCard);
}

describe('A2A over real SLIM (our node, MLS on), @a2a-js/sdk client and agent', () => {
  let chain: Chain;
  before(async () => {
    chain = await startChain({
      transport: await slimTransport({ mls: true, tap: true }),
      agent: { versions: ['1.0', '0.3'] },
    });
  });
  after(() => chain.close());

  test('the card at the route is valid, points at the route and names the SLIMRPC interface', T, async () => {
    await s.localCardV1(chain);
  });

  describe('v1.0 method names', () => {
    let client: Client;
    before(async () => {
      client = await new ClientFactory().createFromUrl(`${chain.url}/`);
    });

    test('the client picks the JSON-RPC 1.0 interface of the route', () => {
      assert.equal(client.protocolVersion, '1.0');
    });
    test('SendMessage answered with a message', T, () => s.messageAnswer(client));
    test('SendMessage answered with a task', T, () => s.taskAnswer(client));
    test('SendStreamingMessage relays 23 events in order, each as it is produced', T, async () => {
      const events = await s.streamInOrder(chain, client, 10);
      assert.equal(events.length, 23);
    });
    test('GetTask, ListTasks, SubscribeToTask, push configs and CancelTask on a running task', T, () =>
      s.runningTaskOperations(chain, client, { listTasks: true }),
    );
    test('GetExtendedAgentCard returns the extended card, rewritten to the route', T, () =>
      s.extendedCard(chain, client),
    );
    test('an unknown task is TaskNotFoundError (-32001)', T, () => s.taskNotFound(client));
  });

  describe('v0.3 method names', () => {
    let client: Client;
    before(async () => {
      client = await v03Client(chain);
    });

    test('message/send answered with a message', T, () => s.messageAnswer(client));
    test('message/send answered with a task', T, () => s.taskAnswer(client));
    test('message/stream relays 23 events in order, each as it is produced', T, async () => {
      const events = await s.streamInOrder(chain, client, 10);
      assert.equal(events.length, 23);
    });
    test('tasks/get, tasks/resubscribe, push configs and tasks/cancel on a running task', T, () =>
      s.runningTaskOperations(chain, client, { listTasks: false }),
    );
    test('agent/getAuthenticatedExtendedCard returns the extended card, rewritten', T, () =>
      s.extendedCard(chain, client),
    );
    test('an unknown task is TaskNotFoundError (-32001)', T, () => s.taskNotFound(client));
  });

  test(
    'a subscriber that goes away: the route lets go at once, the remote stream ends with the task',
    T,
    async () => {
      const count = async (side: string) =>
        Number(
          new RegExp(
            `slim_gateway_a2a_${side}_call_duration_seconds_count\\{method="SubscribeToTask",[^}]*\\} (\\d+)`,
          ).exec(await chain.metrics.render())?.[1] ?? 0,
        );
      const [ingressBefore, egressBefore] = [await count('ingress'), await count('egress')];
      const client = await new ClientFactory().createFromUrl(`${chain.url}/`);
      const id = await s.runningTask(chain, client);
      const abort = new AbortController();
      const res = await fetch(chain.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'SubscribeToTask', params: { id } }),
        signal: abort.signal,
      });
      const reader = res.body!.getReader();
      assert.equal((await reader.read()).done, false, 'the first event');
      abort.abort();
      await until(async () => (await count('ingress')) === ingressBefore + 1, 'the route to end the call');
      // SLIMRPC has no cancel frame (spec/slimrpc-a2a-mcp.md §1.8): the serving side learns nothing,
      // and its stream from the agent ends when the task does.
      await client.cancelTask({ tenant: '', id, metadata: undefined });
      chain.pacing = () => Promise.resolve();
      await until(
        async () => (await count('egress')) === egressBefore + 1,
        'the remote stream to end with the task',
      );
    },
  );

  test('every call crossed our node, and the node saw only ciphertext', () => {
    const frames = chain.transport.frames!();
    assert.ok(frames.length > 100, `frames seen: ${frames.length}`);
    const wire = Buffer.concat(frames);
    // Texts that every scenario above sent or received, in clear inside the protobufs.
    for (const text of ['hello there', 'You said', 'plan a picnic', 'tok-1', '127.0.0.1:9/hook'])
      assert.equal(wire.includes(text), false, `"${text}" crossed the node in clear`);
    // The SLIMRPC routing metadata is cleartext by design (spec/slimrpc-a2a-mcp.md §1.2).
    assert.ok(wire.includes('lf.a2a.v1.A2AService'), 'the tap sees the frames');
  });
});
