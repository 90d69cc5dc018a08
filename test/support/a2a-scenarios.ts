// A2A scenarios run by @a2a-js/sdk clients (v1.0 JSON-RPC transport or the v0.3 compat one)
// through a local A2A route to the example planner agent: the in-process chain of
// test/support/a2a-chain.ts (in-memory SLIMRPC or the real stack), or gateway processes. Each
// asserts what a user of the SDK notices.
import assert from 'node:assert/strict';
import { fromJson } from '@bufbuild/protobuf';
import { AgentCard as SdkAgentCard, Role, TaskState } from '@a2a-js/sdk';
import type { Message, SendMessageRequest, StreamResponse, Task } from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import { AgentCardSchema } from '../../src/adapters/a2a/gen/a2a/v1_0/a2a_pb.js';
import { SLIMRPC_BINDING } from '../../src/adapters/a2a/index.js';
import type { Pacing } from './a2a-chain.js';
import { untilAborted } from './a2a-chain.js';

/** What a scenario needs: the route, the agent behind it, and a hook pacing that agent's events. */
export interface Route {
  /** The local route URL (no trailing slash). */
  readonly url: string;
  readonly agent: { readonly url: string };
  pacing: Pacing;
}

export function userMessage(text: string): Message {
  return {
    messageId: crypto.randomUUID(),
    contextId: '',
    taskId: '',
    role: Role.ROLE_USER,
    parts: [{ content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: '' }],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

export function send(text: string, returnImmediately = false): SendMessageRequest {
  return {
    tenant: '',
    message: userMessage(text),
    configuration: { acceptedOutputModes: [], taskPushNotificationConfig: undefined, returnImmediately },
    metadata: undefined,
  };
}

function textOf(parts: { content?: { $case: string; value: unknown } | undefined }[]): string {
  return parts.map((p) => (p.content?.$case === 'text' ? String(p.content.value) : '')).join('');
}

export async function messageAnswer(client: Client): Promise<void> {
  const result = await client.sendMessage(send('hello there'));
  assert.ok('messageId' in result, 'a message, not a task');
  assert.equal((result as Message).role, Role.ROLE_AGENT);
  assert.equal(textOf((result as Message).parts), 'You said: hello there');
}

export async function taskAnswer(client: Client): Promise<void> {
  const result = await client.sendMessage(send('plan a picnic in 3 steps'));
  assert.ok('status' in result, 'a task, not a message');
  const task = result as Task;
  assert.equal(task.status?.state, TaskState.TASK_STATE_COMPLETED);
  const plan = task.artifacts.find((a) => a.artifactId === 'plan');
  assert.ok(plan, 'the plan artifact');
  assert.match(textOf(plan.parts), /1\. .*2\. .*3\. /s);
}

/**
 * Streams a plan in lockstep: the agent may publish event k only after the client has received
 * event k-1, so the stream can only complete if every event is relayed as it is produced.
 */
export async function streamInOrder(chain: Route, client: Client, steps = 6): Promise<StreamResponse[]> {
  let seen = 0;
  const wake = new Set<() => void>();
  chain.pacing = async (_task, index, signal) => {
    while (seen < index && !signal.aborted)
      await new Promise<void>((resolve) => {
        const done = () => {
          signal.removeEventListener('abort', done);
          resolve();
        };
        wake.add(done);
        signal.addEventListener('abort', done, { once: true });
      });
  };
  const events: StreamResponse[] = [];
  try {
    for await (const event of client.sendMessageStream(send(`plan a trip in ${steps} steps`))) {
      events.push(event);
      seen++;
      for (const w of wake) w();
      wake.clear();
    }
  } finally {
    chain.pacing = () => Promise.resolve();
  }
  assert.equal(events.length, 2 * steps + 3);
  assert.equal(events[0]!.payload?.$case, 'task');
  const last = events.at(-1)!.payload;
  assert.equal(last?.$case, 'statusUpdate');
  assert.equal(last.$case === 'statusUpdate' && last.value.status?.state, TaskState.TASK_STATE_COMPLETED);
  const chunks = events.flatMap((e) =>
    e.payload?.$case === 'artifactUpdate' ? [textOf(e.payload.value.artifact?.parts ?? [])] : [],
  );
  assert.deepEqual(
    chunks.map((c) => Number(c.split('.')[0])),
    Array.from({ length: steps }, (_, i) => i + 1),
  );
  return events;
}

/** Starts a task the agent holds open (until cancelled); returns its id. */
export async function runningTask(chain: Route, client: Client): Promise<string> {
  chain.pacing = (_task, index, signal) => (index >= 2 ? untilAborted(signal) : Promise.resolve());
  const result = await client.sendMessage(send('plan a long journey in 4 steps', true));
  assert.ok('status' in result, 'a task');
  return (result as Task).id;
}

/** GetTask, (ListTasks), SubscribeToTask, push configs, then CancelTask on a running task. */
export async function runningTaskOperations(
  chain: Route,
  client: Client,
  opts: { listTasks: boolean },
): Promise<void> {
  const id = await runningTask(chain, client);
  try {
    const got = await client.getTask({ tenant: '', id });
    assert.equal(got.id, id);
    assert.ok(
      [TaskState.TASK_STATE_SUBMITTED, TaskState.TASK_STATE_WORKING].includes(got.status!.state),
      `running state, got ${got.status?.state}`,
    );
    if (opts.listTasks) {
      const list = await client.listTasks({
        tenant: '',
        contextId: '',
        status: TaskState.TASK_STATE_UNSPECIFIED,
        pageToken: '',
        statusTimestampAfter: undefined,
      });
      assert.ok(list.tasks.some((t) => t.id === id));
    }

    const subscription = client.resubscribeTask({ tenant: '', id })[Symbol.asyncIterator]();
    const first = await subscription.next();
    assert.equal(first.done, false);
    const p = first.value!.payload;
    assert.equal(
      p?.$case === 'task' ? p.value.id : p?.$case === 'statusUpdate' ? p.value.taskId : undefined,
      id,
    );

    await pushConfigs(client, id);

    const cancelled = await client.cancelTask({ tenant: '', id, metadata: undefined });
    assert.equal(cancelled.id, id);
    assert.equal(cancelled.status?.state, TaskState.TASK_STATE_CANCELED);
    // The subscription sees the cancellation and ends.
    let final: TaskState | undefined;
    for (let r = await subscription.next(); !r.done; r = await subscription.next()) {
      const e = r.value.payload;
      if (e?.$case === 'statusUpdate') final = e.value.status?.state;
      if (e?.$case === 'task') final = e.value.status?.state;
    }
    assert.equal(final, TaskState.TASK_STATE_CANCELED);
  } finally {
    chain.pacing = () => Promise.resolve();
  }
}

export async function pushConfigs(client: Client, taskId: string): Promise<void> {
  const created = await client.createTaskPushNotificationConfig({
    tenant: '',
    id: 'hook-1',
    taskId,
    url: 'http://127.0.0.1:9/hook',
    token: 'tok-1',
    authentication: undefined,
  });
  assert.equal(created.taskId, taskId);
  assert.equal(created.id, 'hook-1');
  assert.equal(created.url, 'http://127.0.0.1:9/hook');
  const got = await client.getTaskPushNotificationConfig({ tenant: '', taskId, id: 'hook-1' });
  assert.equal(got.url, 'http://127.0.0.1:9/hook');
  assert.equal(got.token, 'tok-1');
  const listed = await client.listTaskPushNotificationConfig({
    tenant: '',
    taskId,
    pageSize: 0,
    pageToken: '',
  });
  assert.deepEqual(
    listed.configs.map((c) => c.id),
    ['hook-1'],
  );
  await client.deleteTaskPushNotificationConfig({ tenant: '', taskId, id: 'hook-1' });
  const after = await client.listTaskPushNotificationConfig({
    tenant: '',
    taskId,
    pageSize: 0,
    pageToken: '',
  });
  assert.equal(after.configs.length, 0);
}

export async function extendedCard(chain: Route, client: Client): Promise<void> {
  const card = await client.getAgentCard();
  assert.match(card.description, /\(extended card\)$/);
  assert.ok(card.supportedInterfaces.every((i) => i.url === chain.url || i.url.startsWith('slim://')));
}

export async function taskNotFound(client: Client): Promise<void> {
  await assert.rejects(
    client.getTask({ tenant: '', id: 'no-such-task' }),
    (err: Error & { envelopeCode?: number }) => {
      assert.equal(err.name, 'TaskNotFoundError');
      assert.equal(err.envelopeCode, -32001);
      return true;
    },
  );
}

export type CardJson = Record<string, unknown> & { supportedInterfaces?: Record<string, string>[] };

export async function fetchCard(
  chain: Route,
  path = '/.well-known/agent-card.json',
  headers: Record<string, string> = {},
): Promise<CardJson> {
  const res = await fetch(`${chain.url}${path}`, { headers });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  return (await res.json()) as CardJson;
}

/**
 * The v1.0 card at the route (A2A-Version: 1.0): valid for the specification's message and the
 * SDK, JSON-RPC 1.0 and 0.3 at the route, then the SLIMRPC interfaces of the target, and nothing
 * of the agent's own address.
 */
export async function localCardV1(chain: Route): Promise<CardJson> {
  const json = await fetchCard(chain, '/.well-known/agent-card.json', { 'A2A-Version': '1.0' });
  fromJson(AgentCardSchema, json as never);
  const sdk = SdkAgentCard.fromJSON(json);
  assert.equal(sdk.name, 'Planner');
  assert.ok(sdk.skills.length > 0);
  assert.deepEqual(json.supportedInterfaces, [
    { url: chain.url, protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
    { url: chain.url, protocolBinding: 'JSONRPC', protocolVersion: '0.3' },
    { url: 'slim://acme/demo/planner', protocolBinding: SLIMRPC_BINDING, protocolVersion: '1.0' },
    { url: 'slim://acme/demo/planner', protocolBinding: SLIMRPC_BINDING, protocolVersion: '0.3' },
  ]);
  assert.ok(!JSON.stringify(json).includes(chain.agent.url), "the agent's own address does not leak");
  return json;
}
