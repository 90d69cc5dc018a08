// Component: an unmodified A2A client (@a2a-js/sdk, JSON-RPC v1.0; and the v0.3 method names) on a
// group route of three A2A agents (@a2a-js/sdk) behind our A2A services, over the in-memory
// SLIMRPC network's multicast. SendMessage returns every agent's outcome, attributed;
// SendStreamingMessage interleaves their events as they come; task ids name their agent so task
// methods reach it; an agent that is down fails alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Role, TaskState } from '@a2a-js/sdk';
import type { Message, StreamResponse, Task } from '@a2a-js/sdk';
import { ClientFactory } from '@a2a-js/sdk/client';
import { startA2aGroup } from '../support/a2a-group.js';
import { send } from '../support/a2a-scenarios.js';
import { untilAborted } from '../support/a2a-chain.js';

const RED = 'acme/demo/red';
const GREEN = 'acme/demo/green';
const BLUE = 'acme/team/blue';

interface AgentData {
  member: string;
  prefix: string;
  status: 'ok' | 'failed';
  response?: { message?: { parts: { text?: string }[] }; task?: { id: string; status: { state: string } } };
  error?: { code: number; message: string };
}

function agentParts(m: Message): AgentData[] {
  return m.parts.flatMap((p) => (p.content?.$case === 'data' ? [p.content.value as AgentData] : []));
}

const memberOf = (ev: StreamResponse): string | undefined => {
  const p = ev.payload;
  if (!p) return undefined;
  return (p.value as { metadata?: Record<string, unknown> }).metadata?.['slim-gateway/member'] as string;
};

test('three A2A agents behind one group route', { timeout: 120_000 }, async (t) => {
  // Lockstep pacing for the streaming test: an agent publishes its second event only after the
  // client has received every agent's first one, so the stream completes only if the route
  // relays each agent's events as they come, interleaved.
  const firstSeen = new Set<string>();
  let lockstep = false;
  const wake = new Set<() => void>();
  const group = await startA2aGroup([RED, GREEN, BLUE], () => ({
    beforeEvent: async (_task, index, signal) => {
      if (!lockstep || index === 0) return;
      while (firstSeen.size < 3 && !signal.aborted)
        await Promise.race([new Promise<void>((r) => wake.add(r)), untilAborted(signal)]);
    },
  }));
  t.after(() => group.close());
  const client = await new ClientFactory().createFromUrl(`${group.url}/`);

  await t.test('the agent card describes the group', async () => {
    const res = await fetch(`${group.url}/.well-known/agent-card.json`, {
      headers: { 'A2A-Version': '1.0' },
    });
    const card = (await res.json()) as {
      name: string;
      description: string;
      skills: { id: string; tags: string[] }[];
    };
    assert.equal(card.name, 'Group /a2a/team');
    for (const m of [RED, GREEN, BLUE]) assert.ok(card.description.includes(m), `names ${m}`);
    assert.deepEqual(card.skills.map((s) => s.id).sort(), ['blue:plan', 'green:plan', 'red:plan']);
  });

  await t.test('SendMessage returns all three outcomes, attributed', async () => {
    const result = (await client.sendMessage(send('hello group'))) as Message;
    assert.equal(result.role, Role.ROLE_AGENT);
    const first = result.parts[0]?.content;
    assert.equal(first?.$case, 'text');
    assert.match(String(first?.value), /3 of 3 agents answered/);
    const data = agentParts(result);
    assert.deepEqual(
      data.map((d) => [d.member, d.status]),
      [
        [RED, 'ok'],
        [GREEN, 'ok'],
        [BLUE, 'ok'],
      ],
    );
    for (const d of data)
      assert.equal(d.response?.message?.parts[0]?.text, 'You said: hello group', `answer of ${d.member}`);
  });

  let redTask = '';
  await t.test('tasks are per agent; their ids reach their agent', async () => {
    const result = (await client.sendMessage(send('plan a picnic in 2 steps'))) as Message;
    const data = agentParts(result);
    assert.equal(data.length, 3);
    for (const d of data) {
      assert.equal(d.response?.task?.status.state, 'TASK_STATE_COMPLETED');
      assert.ok(d.response?.task?.id.startsWith(`${d.prefix}:`), 'the task id names its agent');
    }
    redTask = data[0]!.response!.task!.id;
    const task = await client.getTask({ tenant: '', id: redTask, historyLength: undefined });
    assert.equal(task.id, redTask);
    assert.equal(task.status?.state, TaskState.TASK_STATE_COMPLETED);
    await assert.rejects(
      client.getTask({ tenant: '', id: 'nobody:123', historyLength: undefined }),
      /not found/i,
    );
  });

  await t.test("a follow-up naming one agent's task goes to that agent alone", async () => {
    const m = send('hello red');
    m.message!.taskId = '';
    m.message!.contextId = redTask; // any presented id of red's
    const task = await client.getTask({ tenant: '', id: redTask, historyLength: undefined });
    m.message!.contextId = task.contextId;
    const answer = (await client.sendMessage(m)) as Message;
    assert.equal(agentParts(answer).length, 0, 'the agent answered itself, no aggregate');
    assert.equal(answer.metadata?.['slim-gateway/member'], RED);
    assert.ok(answer.contextId.startsWith('red:'));
  });

  await t.test("SendStreamingMessage interleaves the agents' events as they come", async () => {
    lockstep = true;
    firstSeen.clear();
    const events: [string | undefined, StreamResponse][] = [];
    for await (const ev of client.sendMessageStream(send('plan a party in 2 steps'))) {
      const member = memberOf(ev);
      events.push([member, ev]);
      if (member && !firstSeen.has(member)) {
        firstSeen.add(member);
        for (const w of [...wake]) w();
        wake.clear();
      }
    }
    lockstep = false;
    const byMember = (m: string) => events.filter(([x]) => x === m).map(([, e]) => e);
    for (const m of [RED, GREEN, BLUE]) {
      const mine = byMember(m);
      const last = mine.at(-1)?.payload;
      assert.equal(last?.$case, 'statusUpdate', `${m} streamed to the end`);
      assert.equal(
        (last?.value as { status: { state: TaskState } }).status.state,
        TaskState.TASK_STATE_COMPLETED,
      );
    }
    const summary = events.at(-1)![1].payload;
    assert.equal(summary?.$case, 'message');
    assert.match(JSON.stringify((summary?.value as Message).parts), /3 of 3 agents answered/);
  });

  await t.test('the v0.3 method names get the same aggregate', async () => {
    const res = await fetch(group.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'message/send',
        params: {
          message: {
            kind: 'message',
            messageId: 'm-03',
            role: 'user',
            parts: [{ kind: 'text', text: 'hi' }],
          },
        },
      }),
    });
    const body = (await res.json()) as {
      result: { kind: string; parts: { kind: string; data?: AgentData }[] };
    };
    assert.equal(body.result.kind, 'message');
    const members = body.result.parts.flatMap((p) => (p.kind === 'data' ? [p.data!.member] : []));
    assert.deepEqual(members, [RED, GREEN, BLUE]);
  });

  await t.test('one agent down: the other two answers are intact, the failure is named', async () => {
    await group.stop(GREEN);
    const result = (await client.sendMessage(send('anyone there?'))) as Message;
    const data = agentParts(result);
    assert.deepEqual(
      data.map((d) => [d.member, d.status]),
      [
        [RED, 'ok'],
        [GREEN, 'failed'],
        [BLUE, 'ok'],
      ],
    );
    assert.match(data[1]?.error?.message ?? '', /reachable|unavailable/i);
    assert.equal(data[0]?.response?.message?.parts[0]?.text, 'You said: anyone there?');
    const events: StreamResponse[] = [];
    for await (const ev of client.sendMessageStream(send('plan a walk in 1 step'))) events.push(ev);
    const failed = events.find((e) => memberOf(e) === GREEN);
    assert.equal(failed?.payload?.$case, 'message', 'a message names the failed agent');
    assert.match(JSON.stringify((failed?.payload?.value as Message).parts), /failed/);
    for (const m of [RED, BLUE])
      assert.ok(events.some((e) => memberOf(e) === m && e.payload?.$case === 'statusUpdate'));
    assert.match(
      await group.metrics.render(),
      /slim_gateway_group_member_failures_total\{[^}]*member="acme\/demo\/green"/,
    );
  });

  await t.test('a member removed from the group gets nothing more', async () => {
    await group.setMembers([RED, BLUE]);
    assert.equal(group.multicast.members().length, 2);
    const data = agentParts((await client.sendMessage(send('just us'))) as Message);
    assert.deepEqual(
      data.map((d) => d.member),
      [RED, BLUE],
    );
  });
});

test(
  'an agent that serves only A2A v0.3 over SLIM is reached over its version',
  { timeout: 60_000 },
  async (t) => {
    const group = await startA2aGroup([RED, GREEN], () => ({}), {
      versions: (name) => (name === GREEN ? '0.3' : 'both'),
    });
    t.after(() => group.close());
    const client = await new ClientFactory().createFromUrl(`${group.url}/`);
    const data = agentParts((await client.sendMessage(send('versions'))) as Message);
    assert.deepEqual(
      data.map((d) => [d.member, d.status, d.response?.message?.parts[0]?.text]),
      [
        [RED, 'ok', 'You said: versions'],
        [GREEN, 'ok', 'You said: versions'],
      ],
    );
    const task = (await client.sendMessage(send('plan lunch in 1 step'))) as Message;
    const green = agentParts(task).find((d) => d.member === GREEN)!;
    assert.ok(green.response?.task?.id.startsWith('green:'));
    const again = (await client.getTask({
      tenant: '',
      id: green.response!.task!.id,
      historyLength: undefined,
    })) as Task;
    assert.equal(again.status?.state, TaskState.TASK_STATE_COMPLETED);
  },
);
