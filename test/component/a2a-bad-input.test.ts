// Component: what a client sees when things go wrong, and that nothing stays broken afterwards.
// Malformed JSON-RPC, unknown methods, wrong params, unsupported A2A versions, oversized bodies,
// wrong HTTP methods and paths, an agent that is down (and comes back), a SLIM name nobody
// serves: each is a clear JSON-RPC (or HTTP) error, and the route and the service keep working.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseName } from '../../src/slim/dataplane/name.js';
import { startPlannerAgent } from '../../examples/agents/planner-agent.js';
import { startChain, untilAborted } from '../support/a2a-chain.js';
import type { Chain } from '../support/a2a-chain.js';

interface Answer {
  status: number;
  body: { id?: unknown; result?: unknown; error?: { code: number; message: string; data?: unknown } };
}

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

const call = (method: string, params?: unknown, id: unknown = 1) =>
  JSON.stringify({ jsonrpc: '2.0', id, method, params });
const hello = { message: { messageId: 'm1', role: 'ROLE_USER', parts: [{ text: 'hello' }] } };

async function stillWorks(chain: Chain): Promise<void> {
  const ok = await post(chain.url, call('SendMessage', hello));
  assert.equal(ok.status, 200);
  assert.ok(ok.body.result, `a result after the failure, got ${JSON.stringify(ok.body)}`);
}

describe('bad input at the local route', () => {
  let chain: Chain;
  before(async () => {
    chain = await startChain();
  });
  after(() => chain.close());

  const cases: [string, string, number, Record<string, string>?][] = [
    ['malformed JSON', '{"jsonrpc":"2.0","id":1,"method":', -32700],
    ['a batch', `[${call('SendMessage', hello)}]`, -32600],
    ['not an object', '"SendMessage"', -32600],
    ['a wrong jsonrpc version', JSON.stringify({ jsonrpc: '1.0', id: 1, method: 'GetTask' }), -32600],
    ['an unknown method', call('tasks/explode', {}), -32601],
    ['params that are not an object', call('GetTask', ['t1']), -32602],
    ['a message that is not an object', call('SendMessage', { message: 'hello' }), -32602],
    ['SendMessage without a message', call('SendMessage', {}), -32602],
    ['GetTask without an id', call('GetTask', { historyLength: 2 }), -32602],
    ['a field of the wrong type', call('GetTask', { id: 't1', historyLength: 'ten' }), -32602],
    ['v0.3 tasks/get without an id', call('tasks/get', {}), -32602],
    [
      'v0.3 message with an unknown part kind',
      call('message/send', { message: { messageId: 'm', role: 'user', parts: [{ kind: 'video' }] } }),
      -32602,
    ],
    [
      'v0.3 push config without a url',
      call('tasks/pushNotificationConfig/set', { taskId: 't', pushNotificationConfig: {} }),
      -32602,
    ],
    ['an unsupported A2A-Version', call('SendMessage', hello), -32009, { 'A2A-Version': '9.1' }],
  ];
  for (const [what, body, code, headers] of cases) {
    test(`${what} is JSON-RPC error ${code}, and the route keeps working`, async () => {
      const answer = await post(chain.url, body, headers);
      assert.equal(answer.status, 200);
      assert.equal(answer.body.error?.code, code, JSON.stringify(answer.body));
      assert.ok(answer.body.error.message.length > 0);
      await stillWorks(chain);
    });
  }

  test('the JSON-RPC id is echoed on errors', async () => {
    const answer = await post(chain.url, call('NoSuchMethod', {}, 'abc'));
    assert.equal(answer.body.id, 'abc');
  });

  test('A2A-specific errors carry a google.rpc.ErrorInfo in v1.0, none in v0.3', async () => {
    const v1 = await post(chain.url, call('GetTask', { id: 'nope' }));
    assert.equal(v1.body.error?.code, -32001);
    assert.deepEqual(v1.body.error?.data, [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'TASK_NOT_FOUND',
        domain: 'a2a-protocol.org',
      },
    ]);
    const v03 = await post(chain.url, call('tasks/get', { id: 'nope' }));
    assert.equal(v03.body.error?.code, -32001);
    assert.equal(v03.body.error?.data, undefined);
  });

  test('a body over the limit is 413 with a JSON-RPC error', async () => {
    const answer = await post(chain.url, JSON.stringify({ pad: 'x'.repeat(5 * 1024 * 1024) }));
    assert.equal(answer.status, 413);
    assert.equal(answer.body.error?.code, -32600);
    await stillWorks(chain);
  });

  test('wrong HTTP methods and paths are 405 and 404', async () => {
    const get = await fetch(chain.url);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    const postCard = await fetch(`${chain.url}/.well-known/agent-card.json`, { method: 'POST', body: '{}' });
    assert.equal(postCard.status, 405);
    const other = await fetch(`${chain.url}/elsewhere`);
    assert.equal(other.status, 404);
    await other.body?.cancel();
    await stillWorks(chain);
  });
});

describe('an agent that is down', () => {
  test('calls fail with a clear error, the card is 503, and both recover when the agent is back', async () => {
    const chain = await startChain({ serviceCardTtlMs: 0 });
    let agent = chain.agent;
    try {
      await stillWorks(chain);
      const port = Number(new URL(agent.url).port);
      await agent.close();
      const down = await post(chain.url, call('SendMessage', hello));
      assert.equal(down.body.error?.code, -32603);
      assert.match(down.body.error.message, /unreachable/);
      assert.match(down.body.error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
      const stream = await post(chain.url, call('SendStreamingMessage', hello), {
        accept: 'text/event-stream',
      });
      assert.equal(stream.body.error?.code, -32603);
      const card = await fetch(`${chain.url}/.well-known/agent-card.json`);
      assert.equal(card.status, 503);
      assert.match(((await card.json()) as { error: string }).error, /unreachable/);

      agent = await startPlannerAgent({ port, stepDelayMs: 0 });
      await stillWorks(chain);
    } finally {
      await chain.close();
      await agent.close();
    }
  });

  test('a SLIM name nobody serves: JSON-RPC -32603 and a 503 card', async () => {
    const chain = await startChain({ target: parseName('acme/demo/nobody') });
    try {
      const answer = await post(chain.url, call('SendMessage', hello));
      assert.equal(answer.body.error?.code, -32603);
      assert.match(answer.body.error.message, /unavailable/);
      const card = await fetch(`${chain.url}/.well-known/agent-card.json`);
      assert.equal(card.status, 503);
      assert.match(((await card.json()) as { error: string }).error, /acme\/demo\/nobody/);
    } finally {
      await chain.close();
    }
  });

  test('an agent that never answers: the service gives up at its deadline with a clear error', async () => {
    const chain = await startChain({ serviceTimeoutMs: 300 });
    chain.pacing = (_t, i, signal) => (i >= 1 ? untilAborted(signal) : Promise.resolve());
    try {
      const answer = await post(
        chain.url,
        call('SendMessage', {
          message: { messageId: 'slow', role: 'ROLE_USER', parts: [{ text: 'plan forever in 2 steps' }] },
        }),
      );
      assert.equal(answer.body.error?.code, -32603);
      assert.match(answer.body.error.message, /DEADLINE_EXCEEDED/);
      chain.pacing = () => Promise.resolve();
      await stillWorks(chain);
    } finally {
      await chain.close();
    }
  });
});
