// Unit: transcoding per A2A method and version. For each method, a v1.0 JSON-RPC params/result
// pair (ProtoJSON, as @a2a-js/sdk writes it) and the equivalent v0.3 pair (spec/slimrpc-a2a-mcp.md
// §2.2-2.4): each survives JSON -> protobuf bytes -> JSON in its own version, converts to the other
// version's JSON through the protobufs, and the v0.3 protobuf carries the resource names and
// fields the v0.3 proto defines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '@bufbuild/protobuf';
import {
  OPS,
  SERVICE,
  convertRequest,
  convertResponse,
  decode,
  encode,
  opByName,
  opForJsonRpc,
} from '../../src/adapters/a2a/methods/table.js';
import type { A2aVersion, Op, OpName } from '../../src/adapters/a2a/methods/table.js';

const v1Msg = (id: string, role: string, text: string) => ({ messageId: id, role, parts: [{ text }] });
const v03Msg = (id: string, role: string, text: string) => ({
  kind: 'message',
  messageId: id,
  role,
  parts: [{ kind: 'text', text }],
});
const v1Cfg = {
  taskId: 't1',
  id: 'c1',
  url: 'https://hook.example/a2a',
  token: 'tok',
  authentication: { scheme: 'Bearer', credentials: 's3' },
};
const v03Cfg = {
  taskId: 't1',
  pushNotificationConfig: {
    id: 'c1',
    url: 'https://hook.example/a2a',
    token: 'tok',
    authentication: { schemes: ['Bearer'], credentials: 's3' },
  },
};
const v1Task = {
  id: 't1',
  contextId: 'c1',
  status: {
    state: 'TASK_STATE_COMPLETED',
    message: v1Msg('m2', 'ROLE_AGENT', 'done'),
    timestamp: '2026-01-02T03:04:05Z',
  },
  artifacts: [
    {
      artifactId: 'a1',
      name: 'Plan',
      description: 'the plan',
      parts: [{ text: '1. go' }],
      extensions: ['urn:x'],
    },
  ],
  history: [v1Msg('m1', 'ROLE_USER', 'hi')],
  metadata: { x: true },
};
const v03Task = {
  kind: 'task',
  id: 't1',
  contextId: 'c1',
  status: { state: 'completed', message: v03Msg('m2', 'agent', 'done'), timestamp: '2026-01-02T03:04:05Z' },
  artifacts: [
    {
      artifactId: 'a1',
      name: 'Plan',
      description: 'the plan',
      parts: [{ kind: 'text', text: '1. go' }],
      extensions: ['urn:x'],
    },
  ],
  history: [v03Msg('m1', 'user', 'hi')],
  metadata: { x: true },
};

interface Case {
  op: OpName;
  v1: { req: unknown; res: unknown }[];
  v03?: { req: unknown; res: unknown }[];
  /** Checks on the v0.3 protobuf request (resource names, fields). */
  v03Proto?: (req: Record<string, unknown>) => void;
}

const CASES: Case[] = [
  {
    op: 'SendMessage',
    v1: [
      {
        req: {
          message: {
            messageId: 'm1',
            contextId: 'c1',
            taskId: 't1',
            role: 'ROLE_USER',
            parts: [
              { text: 'hi' },
              { url: 'https://x.example/f.pdf', mediaType: 'application/pdf' },
              { raw: 'AAEC', mediaType: 'image/png' },
              { data: { a: 1, b: ['x'] } },
            ],
            metadata: { k: 'v' },
            extensions: ['urn:e'],
          },
          configuration: { acceptedOutputModes: ['text/plain'], historyLength: 5, returnImmediately: true },
          metadata: { trace: '1' },
        },
        res: { task: v1Task },
      },
      {
        req: { message: v1Msg('m1', 'ROLE_USER', 'hello') },
        res: { message: v1Msg('m9', 'ROLE_AGENT', 'hi!') },
      },
    ],
    v03: [
      {
        req: {
          message: {
            kind: 'message',
            messageId: 'm1',
            contextId: 'c1',
            taskId: 't1',
            role: 'user',
            parts: [
              { kind: 'text', text: 'hi' },
              { kind: 'file', file: { uri: 'https://x.example/f.pdf', mimeType: 'application/pdf' } },
              { kind: 'file', file: { bytes: 'AAEC', mimeType: 'image/png' } },
              { kind: 'data', data: { a: 1, b: ['x'] } },
            ],
            metadata: { k: 'v' },
            extensions: ['urn:e'],
          },
          configuration: { blocking: false, acceptedOutputModes: ['text/plain'], historyLength: 5 },
          metadata: { trace: '1' },
        },
        res: v03Task,
      },
      { req: { message: v03Msg('m1', 'user', 'hello') }, res: v03Msg('m9', 'agent', 'hi!') },
    ],
    v03Proto: (req) => {
      const content = (req['request'] as { content: { part: { case: string } }[] }).content;
      assert.deepEqual(
        content.map((p) => p.part.case),
        ['text', 'file', 'file', 'data'],
      );
    },
  },
  {
    op: 'SendStreamingMessage',
    v1: [
      {
        req: { message: v1Msg('m1', 'ROLE_USER', 'go') },
        res: { statusUpdate: { taskId: 't1', contextId: 'c1', status: { state: 'TASK_STATE_WORKING' } } },
      },
      {
        req: { message: v1Msg('m1', 'ROLE_USER', 'go') },
        res: {
          statusUpdate: {
            taskId: 't1',
            contextId: 'c1',
            status: { state: 'TASK_STATE_INPUT_REQUIRED' },
            metadata: { m: 1 },
          },
        },
      },
      {
        req: { message: v1Msg('m1', 'ROLE_USER', 'go') },
        res: {
          artifactUpdate: {
            taskId: 't1',
            contextId: 'c1',
            artifact: { artifactId: 'a1', parts: [{ text: 'x' }] },
            append: true,
            lastChunk: true,
          },
        },
      },
      { req: { message: v1Msg('m1', 'ROLE_USER', 'go') }, res: { task: v1Task } },
    ],
    v03: [
      {
        req: { message: v03Msg('m1', 'user', 'go') },
        res: {
          kind: 'status-update',
          taskId: 't1',
          contextId: 'c1',
          status: { state: 'working' },
          final: false,
        },
      },
      {
        req: { message: v03Msg('m1', 'user', 'go') },
        res: {
          kind: 'status-update',
          taskId: 't1',
          contextId: 'c1',
          status: { state: 'input-required' },
          final: true,
          metadata: { m: 1 },
        },
      },
      {
        req: { message: v03Msg('m1', 'user', 'go') },
        res: {
          kind: 'artifact-update',
          taskId: 't1',
          contextId: 'c1',
          artifact: { artifactId: 'a1', parts: [{ kind: 'text', text: 'x' }] },
          append: true,
          lastChunk: true,
        },
      },
      { req: { message: v03Msg('m1', 'user', 'go') }, res: v03Task },
    ],
  },
  {
    op: 'GetTask',
    v1: [{ req: { id: 't1', historyLength: 3 }, res: v1Task }],
    v03: [{ req: { id: 't1', historyLength: 3 }, res: v03Task }],
    v03Proto: (req) => {
      assert.equal(req['name'], 'tasks/t1');
      assert.equal(req['historyLength'], 3);
    },
  },
  {
    op: 'ListTasks',
    v1: [
      {
        req: {
          contextId: 'c1',
          status: 'TASK_STATE_WORKING',
          pageSize: 10,
          pageToken: 'p',
          includeArtifacts: true,
        },
        res: { tasks: [v1Task], nextPageToken: 'n', pageSize: 10, totalSize: 11 },
      },
    ],
  },
  {
    op: 'CancelTask',
    v1: [{ req: { id: 't1' }, res: v1Task }],
    v03: [{ req: { id: 't1' }, res: v03Task }],
    v03Proto: (req) => assert.equal(req['name'], 'tasks/t1'),
  },
  {
    op: 'SubscribeToTask',
    v1: [{ req: { id: 't1' }, res: { task: v1Task } }],
    v03: [{ req: { id: 't1' }, res: v03Task }],
    v03Proto: (req) => assert.equal(req['name'], 'tasks/t1'),
  },
  {
    op: 'CreateTaskPushNotificationConfig',
    v1: [{ req: v1Cfg, res: v1Cfg }],
    v03: [{ req: v03Cfg, res: v03Cfg }],
    v03Proto: (req) => {
      assert.equal(req['parent'], 'tasks/t1');
      assert.equal(req['configId'], 'c1');
      assert.equal((req['config'] as { name: string }).name, 'tasks/t1/pushNotificationConfigs/c1');
    },
  },
  {
    op: 'GetTaskPushNotificationConfig',
    v1: [{ req: { taskId: 't1', id: 'c1' }, res: v1Cfg }],
    v03: [{ req: { id: 't1', pushNotificationConfigId: 'c1' }, res: v03Cfg }],
    v03Proto: (req) => assert.equal(req['name'], 'tasks/t1/pushNotificationConfigs/c1'),
  },
  {
    op: 'ListTaskPushNotificationConfigs',
    v1: [{ req: { taskId: 't1' }, res: { configs: [v1Cfg] } }],
    v03: [{ req: { id: 't1' }, res: [v03Cfg] }],
    v03Proto: (req) => assert.equal(req['parent'], 'tasks/t1'),
  },
  {
    op: 'DeleteTaskPushNotificationConfig',
    v1: [{ req: { taskId: 't1', id: 'c1' }, res: null }],
    v03: [{ req: { id: 't1', pushNotificationConfigId: 'c1' }, res: null }],
    v03Proto: (req) => assert.equal(req['name'], 'tasks/t1/pushNotificationConfigs/c1'),
  },
];

function side(op: Op, v: A2aVersion) {
  return v === '1.0' ? op.v1 : op.v03!;
}

/** JSON -> message -> bytes -> message: what crosses SLIM. */
function overTheWire(op: Op, v: A2aVersion, kind: 'req' | 'res', json: unknown): Message {
  const s = side(op, v);
  const msg = kind === 'req' ? s.reqFromJson(json) : s.resFromJson(json);
  return decode(s[kind], encode(s[kind], msg), 'InvalidParamsError');
}

for (const c of CASES) {
  const op = opByName(c.op);
  const versions: A2aVersion[] = c.v03 ? ['1.0', '0.3'] : ['1.0'];
  for (const v of versions) {
    const pairs = v === '1.0' ? c.v1 : c.v03!;
    test(`${c.op} (${v}): params and results survive JSON -> protobuf bytes -> JSON`, () => {
      for (const { req, res } of pairs) {
        assert.deepEqual(side(op, v).reqToJson(overTheWire(op, v, 'req', req)), req);
        assert.deepEqual(side(op, v).resToJson(overTheWire(op, v, 'res', res)), res);
      }
    });
  }
  if (c.v03) {
    test(`${c.op}: v0.3 <-> v1.0 through the protobufs`, () => {
      c.v1.forEach(({ req, res }, i) => {
        const v03 = c.v03![i]!;
        const reqTo03 = convertRequest(op, '1.0', '0.3', overTheWire(op, '1.0', 'req', req));
        assert.deepEqual(op.v03!.reqToJson(reqTo03), v03.req);
        const reqTo1 = convertRequest(op, '0.3', '1.0', overTheWire(op, '0.3', 'req', v03.req));
        assert.deepEqual(op.v1.reqToJson(reqTo1), req);
        const resTo03 = convertResponse(op, '1.0', '0.3', overTheWire(op, '1.0', 'res', res));
        assert.deepEqual(op.v03!.resToJson(resTo03), v03.res);
        const resTo1 = convertResponse(op, '0.3', '1.0', overTheWire(op, '0.3', 'res', v03.res));
        assert.deepEqual(op.v1.resToJson(resTo1), res);
      });
    });
  }
  if (c.v03Proto) {
    test(`${c.op}: the v0.3 protobuf request carries the v0.3 resource names`, () => {
      c.v03Proto!(overTheWire(op, '0.3', 'req', c.v03![0]!.req) as unknown as Record<string, unknown>);
    });
  }
}

test('method names: JSON-RPC v1.0 and v0.3, SLIMRPC services and methods as the binding registers them', () => {
  const table = OPS.map((op) => [op.v1.jsonRpc, op.v03?.jsonRpc, op.v1.slim, op.v03?.slim, op.streaming]);
  assert.deepEqual(table, [
    ['SendMessage', 'message/send', 'SendMessage', 'SendMessage', false],
    ['SendStreamingMessage', 'message/stream', 'SendStreamingMessage', 'SendStreamingMessage', true],
    ['GetTask', 'tasks/get', 'GetTask', 'GetTask', false],
    ['ListTasks', undefined, 'ListTasks', undefined, false],
    ['CancelTask', 'tasks/cancel', 'CancelTask', 'CancelTask', false],
    ['SubscribeToTask', 'tasks/resubscribe', 'SubscribeToTask', 'TaskSubscription', true],
    [
      'CreateTaskPushNotificationConfig',
      'tasks/pushNotificationConfig/set',
      'CreateTaskPushNotificationConfig',
      'CreateTaskPushNotificationConfig',
      false,
    ],
    [
      'GetTaskPushNotificationConfig',
      'tasks/pushNotificationConfig/get',
      'GetTaskPushNotificationConfig',
      'GetTaskPushNotificationConfig',
      false,
    ],
    [
      'ListTaskPushNotificationConfigs',
      'tasks/pushNotificationConfig/list',
      'ListTaskPushNotificationConfigs',
      'ListTaskPushNotificationConfig',
      false,
    ],
    [
      'DeleteTaskPushNotificationConfig',
      'tasks/pushNotificationConfig/delete',
      'DeleteTaskPushNotificationConfig',
      'DeleteTaskPushNotificationConfig',
      false,
    ],
    [
      'GetExtendedAgentCard',
      'agent/getAuthenticatedExtendedCard',
      'GetExtendedAgentCard',
      'GetAgentCard',
      false,
    ],
  ]);
  assert.deepEqual(SERVICE, { '1.0': 'lf.a2a.v1.A2AService', '0.3': 'a2a.v1.A2AService' });
  assert.equal(opForJsonRpc('tasks/resubscribe')?.version, '0.3');
  assert.equal(opForJsonRpc('SubscribeToTask')?.version, '1.0');
  assert.equal(opForJsonRpc('tasks/list'), undefined);
});

test('wire bytes: field numbers as the specifications define them', () => {
  const hex = (op: OpName, v: A2aVersion, json: unknown) => {
    const s = side(opByName(op), v);
    return Buffer.from(encode(s.req, s.reqFromJson(json))).toString('hex');
  };
  // lf.a2a.v1.GetTaskRequest: id = 2 (tenant = 1), history_length = 3.
  assert.equal(hex('GetTask', '1.0', { id: 't1', historyLength: 3 }), '1202743118' + '03');
  // a2a.v1.GetTaskRequest: name = 1, history_length = 2.
  assert.equal(hex('GetTask', '0.3', { id: 't1', historyLength: 3 }), '0a087461736b732f74311003');
  // lf.a2a.v1.ListTaskPushNotificationConfigsRequest: task_id = 1 (tenant came later as 4).
  assert.equal(
    hex('ListTaskPushNotificationConfigs', '1.0', { taskId: 't1', tenant: 'x' }),
    '0a02743122017' + '8',
  );
  // DeleteTaskPushNotificationConfig answers google.protobuf.Empty: zero bytes.
  const del = opByName('DeleteTaskPushNotificationConfig');
  assert.equal(encode(del.v1.res, del.v1.resFromJson(null)).length, 0);
  assert.equal(del.v1.resToJson(decode(del.v1.res, new Uint8Array(0), 'InvalidAgentResponseError')), null);
});

test('what v0.3 cannot carry is dropped going there, not invented coming back', () => {
  const op = opByName('SendMessage');
  const rich = {
    message: {
      messageId: 'm1',
      role: 'ROLE_USER',
      parts: [{ text: 'hi', metadata: { p: 1 }, filename: 'a.txt' }, { data: 42 }],
      referenceTaskIds: ['t0'],
    },
    tenant: 'tenant-a',
  };
  const v03 = convertRequest(op, '1.0', '0.3', op.v1.reqFromJson(rich));
  assert.deepEqual(op.v03!.reqToJson(v03), {
    message: {
      kind: 'message',
      messageId: 'm1',
      role: 'user',
      parts: [
        { kind: 'text', text: 'hi' },
        { kind: 'data', data: { value: 42 } },
      ],
    },
  });
});
