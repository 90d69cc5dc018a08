// Interop of the A2A SLIMRPC binding with the reference (bindings 2.1.2, core 2.2.0), MLS on,
// through the reference node:
//   - a reference `Channel` calls our exported agent (our SLIMRPC server, our A2A service, an
//     @a2a-js/sdk agent) with protobuf bytes the test encodes, and decodes the answers;
//   - our route (A2A ingress over our SLIMRPC channel) calls reference `Server`s whose raw-bytes
//     handlers speak the A2A protobufs (test/fixtures/reference/a2a-agent.mjs), with
//     @a2a-js/sdk clients at the route: answers, streamed events (released one by one, so each
//     must arrive before the next is produced), errors, the card, and the v1.0 -> v0.3 fallback
//     against an agent registering only `a2a.v1.A2AService`.
// Fails, never skips, when the reference cannot load.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { TaskState } from '@a2a-js/sdk';
import type { AgentCard, Message, Task } from '@a2a-js/sdk';
import { Client, ClientFactory } from '@a2a-js/sdk/client';
import { LegacyJsonRpcTransport } from '@a2a-js/sdk/compat/v0_3/client';
import * as v1 from '../../src/adapters/a2a/gen/a2a/v1_0/a2a_pb.js';
import * as v03 from '../../src/adapters/a2a/gen/a2a/v0_3/a2a_pb.js';
import { SLIMRPC_BINDING, createA2aIngress, createA2aService } from '../../src/adapters/a2a/index.js';
import type { A2aIngress, A2aService } from '../../src/adapters/a2a/index.js';
import { parseName } from '../../src/slim/dataplane/name.js';
import { RpcError, createChannel, createRpcServer } from '../../src/slim/rpc/index.js';
import type { CallOptions, RpcClient, SlimRpcServer } from '../../src/slim/rpc/index.js';
import type { SlimApp } from '../../src/slim/session/index.js';
import { startPlannerAgent } from '../../examples/agents/planner-agent.js';
import type { PlannerAgent } from '../../examples/agents/planner-agent.js';
import { startEdge } from '../support/a2a-edge.js';
import type { TestEdge } from '../support/a2a-edge.js';
import { send } from '../support/a2a-scenarios.js';
import type { ReferencePeer } from '../support/reference.js';
import {
  agentCalls,
  refStreamBytes,
  refUnaryBytes,
  referenceA2aAgent,
  releaseEvent,
} from '../support/reference-a2a.js';
import { referenceRpcClient } from '../support/reference-rpc.js';
import type { RefResult } from '../support/reference-rpc.js';
import { startNode } from '../support/reference-sessions.js';
import type { NodeFixture } from '../support/reference-sessions.js';
import { makeApp } from '../support/session-apps.js';

/** Hang guard only (never a timing assertion). */
const T = { timeout: 120_000 };
const V1 = 'lf.a2a.v1.A2AService';
const V03 = 'a2a.v1.A2AService';

function ok<T>(r: RefResult<T>): T {
  assert.ok(r.ok, `reference call failed: ${JSON.stringify(r)}`);
  return r.value;
}

const v1Text = (parts: v1.Part[]) =>
  parts.map((p) => (p.content.case === 'text' ? p.content.value : '')).join('');
const sdkText = (parts: Message['parts']) =>
  parts.map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join('');

function v1Request(text: string): Uint8Array {
  return toBinary(
    v1.SendMessageRequestSchema,
    create(v1.SendMessageRequestSchema, {
      message: {
        messageId: crypto.randomUUID(),
        role: v1.Role.USER,
        parts: [{ content: { case: 'text', value: text } }],
      },
    }),
  );
}

interface Seen {
  service: string;
  method: string;
  outcome: string;
}

/** Records each unary call's service, method and outcome ('ok' or the status code). */
function recording(client: RpcClient, seen: Seen[]): RpcClient {
  const note = (service: string, method: string, outcome: string) => seen.push({ service, method, outcome });
  return {
    target: client.target,
    unary: async (service, method, req, o?: CallOptions) => {
      try {
        const r = await client.unary(service, method, req, o);
        note(service, method, 'ok');
        return r;
      } catch (err) {
        note(service, method, err instanceof RpcError ? `${err.status} ${err.message}` : String(err));
        throw err;
      }
    },
    serverStream: (service, method, req, o?: CallOptions) => {
      note(service, method, 'stream');
      return client.serverStream(service, method, req, o);
    },
    clientStream: (s, m, r, o) => client.clientStream(s, m, r, o),
    bidiStream: (s, m, r, o) => client.bidiStream(s, m, r, o),
    close: () => client.close(),
  };
}

describe('A2A SLIMRPC with the reference, MLS on, through the reference node', () => {
  let node: NodeFixture;
  before(async () => {
    node = await startNode('reference');
  });
  after(() => node.close());

  describe('a reference Channel calls our exported agent', () => {
    let agent: PlannerAgent;
    let service: A2aService;
    let app: SlimApp;
    let server: SlimRpcServer;
    let caller: ReferencePeer;
    before(async () => {
      agent = await startPlannerAgent({
        port: 0,
        stepDelayMs: 0,
        extendedCard: true,
        pushSender: { send: () => Promise.resolve() },
      });
      service = createA2aService({ name: parseName('org/ns/planner'), url: agent.url });
      app = await makeApp({ name: 'org/ns/planner', link: node.link(), mls: true });
      server = createRpcServer(app, { services: service.services });
      caller = await referenceRpcClient('refcaller', node.endpoint, 'planner');
    });
    after(async () => {
      // Ours first, while the reference caller can still acknowledge the session's end.
      await server?.close();
      await app?.close();
      await caller?.stop();
      await service?.close();
      await agent?.close();
    });

    test('SendMessage: a message answer, decoded as SendMessageResponse', T, async () => {
      const bytes = ok(
        await refUnaryBytes(caller, {
          service: V1,
          method: 'SendMessage',
          request: v1Request('hello there'),
        }),
      );
      const res = fromBinary(v1.SendMessageResponseSchema, bytes);
      assert.equal(res.payload.case, 'message');
      assert.equal(res.payload.value?.role, v1.Role.AGENT);
      assert.equal(v1Text(res.payload.value.parts), 'You said: hello there');
    });

    test('SendMessage: a task answer, completed, with its plan artifact', T, async () => {
      const bytes = ok(
        await refUnaryBytes(caller, {
          service: V1,
          method: 'SendMessage',
          request: v1Request('plan a picnic in 3 steps'),
        }),
      );
      const res = fromBinary(v1.SendMessageResponseSchema, bytes);
      assert.equal(res.payload.case, 'task');
      const task = res.payload.value;
      assert.equal(task.status?.state, v1.TaskState.COMPLETED);
      const plan = task.artifacts.find((a) => a.artifactId === 'plan');
      assert.ok(plan);
      assert.match(v1Text(plan.parts), /1\. .*2\. .*3\. /s);

      // GetTask of that task, and push configs on it: create, then delete (a zero-byte answer).
      const got = fromBinary(
        v1.TaskSchema,
        ok(
          await refUnaryBytes(caller, {
            service: V1,
            method: 'GetTask',
            request: toBinary(v1.GetTaskRequestSchema, create(v1.GetTaskRequestSchema, { id: task.id })),
          }),
        ),
      );
      assert.equal(got.id, task.id);
      const config = fromBinary(
        v1.TaskPushNotificationConfigSchema,
        ok(
          await refUnaryBytes(caller, {
            service: V1,
            method: 'CreateTaskPushNotificationConfig',
            request: toBinary(
              v1.TaskPushNotificationConfigSchema,
              create(v1.TaskPushNotificationConfigSchema, {
                taskId: task.id,
                id: 'hook-1',
                url: 'http://127.0.0.1:9/h',
              }),
            ),
          }),
        ),
      );
      assert.equal(config.id, 'hook-1');
      const deleted = ok(
        await refUnaryBytes(caller, {
          service: V1,
          method: 'DeleteTaskPushNotificationConfig',
          request: toBinary(
            v1.DeleteTaskPushNotificationConfigRequestSchema,
            create(v1.DeleteTaskPushNotificationConfigRequestSchema, { taskId: task.id, id: 'hook-1' }),
          ),
        }),
      );
      assert.equal(deleted.length, 0, 'google.protobuf.Empty is zero bytes');
    });

    test('SendStreamingMessage: 23 StreamResponse events in order', T, async () => {
      const events = ok(
        await refStreamBytes(caller, {
          service: V1,
          method: 'SendStreamingMessage',
          request: v1Request('plan a trip in 10 steps'),
        }),
      ).map((b) => fromBinary(v1.StreamResponseSchema, b));
      assert.equal(events.length, 23);
      assert.equal(events[0]!.payload.case, 'task');
      const chunks = events.flatMap((e) =>
        e.payload.case === 'artifactUpdate' ? [v1Text(e.payload.value.artifact?.parts ?? [])] : [],
      );
      assert.deepEqual(
        chunks.map((c) => Number(c.split('.')[0])),
        Array.from({ length: 10 }, (_, i) => i + 1),
      );
      const last = events.at(-1)!.payload;
      assert.equal(last.case === 'statusUpdate' && last.value.status?.state, v1.TaskState.COMPLETED);
    });

    test('an unknown task: NOT_FOUND "TaskNotFoundError: ..."', T, async () => {
      const r = await refUnaryBytes(caller, {
        service: V1,
        method: 'GetTask',
        request: toBinary(v1.GetTaskRequestSchema, create(v1.GetTaskRequestSchema, { id: 'no-such-task' })),
      });
      assert.equal(r.ok, false);
      assert.ok(!r.ok);
      assert.equal(r.code, 5);
      assert.match(r.message, /^TaskNotFoundError: /);
    });

    test('the v0.3 service answers v0.3 protobufs (field `msg`)', T, async () => {
      const request = toBinary(
        v03.SendMessageRequestSchema,
        create(v03.SendMessageRequestSchema, {
          request: {
            messageId: crypto.randomUUID(),
            role: v03.Role.USER,
            content: [{ part: { case: 'text', value: 'hi from v0.3' } }],
          },
        }),
      );
      const res = fromBinary(
        v03.SendMessageResponseSchema,
        ok(await refUnaryBytes(caller, { service: V03, method: 'SendMessage', request })),
      );
      assert.equal(res.payload.case, 'msg');
      assert.equal(
        res.payload.value.content.map((p) => (p.part.case === 'text' ? p.part.value : '')).join(''),
        'You said: hi from v0.3',
      );
    });

    test('GetExtendedAgentCard: the extended card, naming our SLIM service', T, async () => {
      const card = fromBinary(
        v1.AgentCardSchema,
        ok(
          await refUnaryBytes(caller, {
            service: V1,
            method: 'GetExtendedAgentCard',
            request: new Uint8Array(0),
          }),
        ),
      );
      assert.equal(card.name, 'Planner');
      assert.match(card.description, /\(extended card\)$/);
      assert.deepEqual(
        card.supportedInterfaces.map((i) => [i.url, i.protocolBinding, i.protocolVersion]),
        [
          ['slim://org/ns/planner', SLIMRPC_BINDING, '1.0'],
          ['slim://org/ns/planner', SLIMRPC_BINDING, '0.3'],
        ],
      );
    });
  });

  describe('our route calls reference A2A agents', () => {
    let app: SlimApp;
    let refAgent: ReferencePeer;
    let refAgent03: ReferencePeer;
    const ingresses: A2aIngress[] = [];
    const channels: RpcClient[] = [];
    let edge: TestEdge;
    const seen03: Seen[] = [];
    before(async () => {
      [refAgent, refAgent03] = await Promise.all([
        referenceA2aAgent('refagent', node.endpoint, '1.0'),
        referenceA2aAgent('refagent03', node.endpoint, '0.3'),
      ]);
      app = await makeApp({ name: 'org/ns/gateway', link: node.link(), mls: true });
      const route = (path: string, name: string, wrap: (c: RpcClient) => RpcClient = (c) => c) => {
        const channel = createChannel(app, parseName(`org/ns/${name}`), { mls: true });
        channels.push(channel);
        const ingress = createA2aIngress({
          route: path,
          target: parseName(`org/ns/${name}`),
          client: wrap(channel),
        });
        ingresses.push(ingress);
        return ingress.handler;
      };
      edge = await startEdge({
        '/a2a/ref': route('/a2a/ref', 'refagent'),
        '/a2a/ref03': route('/a2a/ref03', 'refagent03', (c) => recording(c, seen03)),
      });
    });
    after(async () => {
      await edge?.close();
      for (const i of ingresses) await i.close();
      for (const c of channels) await c.close();
      await app?.close();
      await refAgent?.stop();
      await refAgent03?.stop();
    });

    test('an @a2a-js/sdk client reads the card, gets a message and a task', T, async () => {
      const client = await new ClientFactory().createFromUrl(`${edge.url('/a2a/ref')}/`);
      const card = await client.getAgentCard();
      assert.equal(card.name, 'Reference agent');
      assert.equal(card.supportedInterfaces[0]!.url, edge.url('/a2a/ref'));
      assert.ok(
        card.supportedInterfaces.some(
          (i) => i.url === 'slim://org/ns/refagent' && i.protocolBinding === SLIMRPC_BINDING,
        ),
      );

      const answer = await client.sendMessage(send('hello'));
      assert.ok('messageId' in answer);
      assert.equal(sdkText((answer as Message).parts), 'ref agent heard: hello');

      const task = (await client.sendMessage(send('plan tea in 2 steps'))) as Task;
      assert.equal(task.status?.state, TaskState.TASK_STATE_COMPLETED);
      assert.equal(sdkText(task.artifacts[0]!.parts), '1. step 1 of tea\n2. step 2 of tea\n');

      // The reference handler saw the binding's metadata.
      const calls = await agentCalls(refAgent);
      const sendCall = calls.find((c) => c.method === 'SendMessage');
      assert.equal(sendCall?.metadata['a2a-version'], '1.0');
      assert.equal(sendCall?.metadata['service'], V1);
    });

    test('SendStreamingMessage: 12 events, each delivered before the next is produced', T, async () => {
      const client = await new ClientFactory().createFromUrl(`${edge.url('/a2a/ref')}/`);
      const states: string[] = [];
      let k = 0;
      for await (const event of client.sendMessageStream(send('lockstep plan a trip in 5 steps'))) {
        const p = event.payload;
        states.push(
          p?.$case === 'statusUpdate'
            ? TaskState[p.value.status!.state]
            : p?.$case === 'artifactUpdate'
              ? sdkText(p.value.artifact!.parts).split('.')[0]!
              : (p?.$case ?? 'none'),
        );
        await releaseEvent(refAgent, ++k);
      }
      assert.deepEqual(states, [
        'task',
        ...[1, 2, 3, 4, 5].flatMap((i) => ['TASK_STATE_WORKING', String(i)]),
        'TASK_STATE_COMPLETED',
      ]);
    });

    test('a TaskNotFoundError from the reference is -32001 at the route', T, async () => {
      const client = await new ClientFactory().createFromUrl(`${edge.url('/a2a/ref')}/`);
      await assert.rejects(
        client.sendMessage(send('unknown task')),
        (err: Error & { envelopeCode?: number }) => {
          assert.equal(err.envelopeCode, -32001);
          return true;
        },
      );
    });

    test('a v0.3 client (message/send, message/stream) reaches the v1.0 reference agent', T, async () => {
      const res = await fetch(`${edge.url('/a2a/ref')}/.well-known/agent-card.json`, {
        headers: { 'A2A-Version': '1.0' },
      });
      const client = new Client(
        new LegacyJsonRpcTransport({ endpoint: edge.url('/a2a/ref') }),
        (await res.json()) as AgentCard,
      );
      const answer = await client.sendMessage(send('hello v0.3'));
      assert.equal(sdkText((answer as Message).parts), 'ref agent heard: hello v0.3');
      const kinds: string[] = [];
      for await (const e of client.sendMessageStream(send('plan soup in 2 steps')))
        kinds.push(e.payload!.$case);
      assert.deepEqual(kinds, [
        'task',
        'statusUpdate',
        'artifactUpdate',
        'statusUpdate',
        'artifactUpdate',
        'statusUpdate',
      ]);
    });

    test('v1.0 -> v0.3 fallback: an agent registering only a2a.v1.A2AService', T, async () => {
      // First call, before any card: the v1.0 service is tried, "Method not found", then v0.3.
      const res = await fetch(edge.url('/a2a/ref03'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'A2A-Version': '1.0' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'SendMessage',
          params: { message: { messageId: 'f1', role: 'ROLE_USER', parts: [{ text: 'fall back' }] } },
        }),
      });
      const body = (await res.json()) as { result?: { message?: { parts: { text: string }[] } } };
      assert.equal(body.result?.message?.parts[0]?.text, 'ref agent heard: fall back');
      assert.deepEqual(seen03.slice(0, 2), [
        { service: V1, method: 'SendMessage', outcome: `12 Method not found: ${V1}/SendMessage` },
        { service: V03, method: 'SendMessage', outcome: 'ok' },
      ]);

      // Then an SDK client: the card (GetAgentCard over v0.3), a task, a stream; v0.3 only from now on.
      const client = await new ClientFactory().createFromUrl(`${edge.url('/a2a/ref03')}/`);
      const card = await client.getAgentCard();
      assert.equal(card.name, 'Reference agent');
      const task = (await client.sendMessage(send('plan tea in 2 steps'))) as Task;
      assert.equal(task.status?.state, TaskState.TASK_STATE_COMPLETED);
      const events = [];
      for await (const e of client.sendMessageStream(send('plan a walk in 3 steps'))) events.push(e);
      assert.equal(events.length, 8);
      const last = events.at(-1)!.payload;
      assert.equal(
        last?.$case === 'statusUpdate' && last.value.status?.state,
        TaskState.TASK_STATE_COMPLETED,
      );
      assert.ok(
        seen03.slice(2).every((s) => s.service === V03),
        JSON.stringify(seen03.slice(2)),
      );
      const served = await agentCalls(refAgent03);
      assert.deepEqual(
        served.map((c) => c.method),
        ['SendMessage', 'GetAgentCard', 'SendMessage', 'SendStreamingMessage'],
      );
      assert.ok(served.every((c) => c.metadata['a2a-version'] === '0.3'));
    });
  });
});
