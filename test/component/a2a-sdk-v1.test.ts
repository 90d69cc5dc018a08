// Component: an @a2a-js/sdk v1.0 client (ClientFactory, JSON-RPC transport) reaches an
// @a2a-js/sdk agent through the local A2A route, the A2A SLIMRPC binding (over the in-memory
// SLIMRPC network) and the A2A service, for every A2A v1.0 method; the agent speaks v1.0 and
// v0.3, v1.0 only, or v0.3 only (then every call is translated to v0.3 JSON-RPC by the service).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientFactory } from '@a2a-js/sdk/client';
import type { Client } from '@a2a-js/sdk/client';
import { startChain } from '../support/a2a-chain.js';
import type { Chain } from '../support/a2a-chain.js';
import * as s from '../support/a2a-scenarios.js';

const T = { timeout: 60_000 };

const AGENTS: ('1.0' | '0.3')[][] = [['1.0', '0.3'], ['1.0'], ['0.3']];
for (const versions of AGENTS) {
  describe(`v1.0 client, agent speaking ${versions.join(' and ')}`, () => {
    let chain: Chain;
    let client: Client;
    before(async () => {
      chain = await startChain({ agent: { versions } });
      client = await new ClientFactory().createFromUrl(`${chain.url}/`);
    });
    after(() => chain.close());

    test('the client picks the JSON-RPC interface of the local route from the card', () => {
      assert.equal(client.protocolVersion, '1.0');
    });
    test('SendMessage answered with a message', T, () => s.messageAnswer(client));
    test('SendMessage answered with a task', T, () => s.taskAnswer(client));
    test('SendStreamingMessage relays every event in order, as it is produced', T, async () => {
      await s.streamInOrder(chain, client);
    });
    test('GetTask, ListTasks, SubscribeToTask, push configs and CancelTask on a running task', T, () =>
      s.runningTaskOperations(chain, client, { listTasks: versions.includes('1.0') }),
    );
    test('GetExtendedAgentCard returns the extended card, rewritten to the route', T, () =>
      s.extendedCard(chain, client),
    );
    test('an unknown task is TaskNotFoundError (-32001)', T, () => s.taskNotFound(client));
    if (!versions.includes('1.0'))
      test('ListTasks against a v0.3-only agent is UnsupportedOperationError (-32004)', T, async () => {
        await assert.rejects(
          client.listTasks({
            tenant: '',
            contextId: '',
            status: 0,
            pageToken: '',
            statusTimestampAfter: undefined,
          }),
          (err: Error & { envelopeCode?: number }) => err.envelopeCode === -32004,
        );
      });
  });
}

test('metrics count calls and errors by route and method', async () => {
  const chain = await startChain();
  try {
    const client = await new ClientFactory().createFromUrl(`${chain.url}/`);
    await s.messageAnswer(client);
    await s.taskNotFound(client);
    const text = await chain.metrics.render();
    assert.match(
      text,
      /slim_gateway_a2a_ingress_calls_total\{method="SendMessage",route="\/a2a\/planner"\} 1/,
    );
    assert.match(
      text,
      /slim_gateway_a2a_ingress_errors_total\{error="TaskNotFoundError",method="GetTask",route="\/a2a\/planner"\} 1/,
    );
    assert.match(
      text,
      /slim_gateway_a2a_egress_calls_total\{method="SendMessage",service="acme\/demo\/planner"\} 1/,
    );
    assert.match(
      text,
      /slim_gateway_a2a_ingress_call_duration_seconds_count\{method="SendMessage",route="\/a2a\/planner"\} 1/,
    );
  } finally {
    await chain.close();
  }
});
