// The A2A method table (spec/slimrpc-a2a-mcp.md §2.2): each operation's JSON-RPC names, SLIMRPC
// method names and protobuf messages in A2A v1.0 (service lf.a2a.v1.A2AService) and v0.3
// (service a2a.v1.A2AService), with the conversions between JSON-RPC params/results and the
// protobuf messages of each version, and between the two versions. v1.0 JSON-RPC params are the
// ProtoJSON of the v1.0 messages; v0.3 ones are mapped by hand (ops-v03.ts).
import { create, fromBinary, fromJson, toBinary, toJson } from '@bufbuild/protobuf';
import type { DescMessage, Message, MessageShape } from '@bufbuild/protobuf';
import { EmptySchema } from '@bufbuild/protobuf/wkt';
import * as o from './gen/a2a/v0_3/a2a_pb.js';
import * as n from './gen/a2a/v1_0/a2a_pb.js';
import { A2aError } from './errors.js';
import { invalid, isObj } from './json.js';
import * as v03 from './ops-v03.js';
import * as x from './cross.js';
import { cardToV03, cardToV1 } from './cross-card.js';
import { configName, parseConfigName, parseTaskName, taskName } from './names.js';

export type A2aVersion = '1.0' | '0.3';

export const SERVICE: Readonly<Record<A2aVersion, string>> = {
  '1.0': 'lf.a2a.v1.A2AService',
  '0.3': 'a2a.v1.A2AService',
};

export type OpName =
  | 'SendMessage'
  | 'SendStreamingMessage'
  | 'GetTask'
  | 'ListTasks'
  | 'CancelTask'
  | 'SubscribeToTask'
  | 'CreateTaskPushNotificationConfig'
  | 'GetTaskPushNotificationConfig'
  | 'ListTaskPushNotificationConfigs'
  | 'DeleteTaskPushNotificationConfig'
  | 'GetExtendedAgentCard';

/** One version of one operation. Messages are type-erased here; each entry is typed where built. */
export interface OpSide {
  readonly jsonRpc: string;
  readonly slim: string;
  readonly req: DescMessage;
  readonly res: DescMessage;
  reqFromJson(params: unknown): Message;
  reqToJson(req: Message): unknown;
  resFromJson(result: unknown): Message;
  resToJson(res: Message): unknown;
}

export interface Op {
  readonly name: OpName;
  readonly streaming: boolean;
  /** The response is google.protobuf.Empty (zero bytes on the wire). */
  readonly empty: boolean;
  readonly v1: OpSide;
  readonly v03?: OpSide & {
    reqToV1(req: Message): Message;
    reqFromV1(req: Message): Message;
    resToV1(res: Message): Message;
    resFromV1(res: Message): Message;
  };
}

type Fn<A, B> = (a: A) => B;

/** A v1.0 side: ProtoJSON both ways, with the checks the JSON-RPC params need. */
function v1Side<Req extends DescMessage, Res extends DescMessage>(
  jsonRpc: string,
  req: Req,
  res: Res,
  check: (r: MessageShape<Req>) => void = () => {},
  opts: { emptyResult?: boolean } = {},
): OpSide {
  return {
    jsonRpc,
    slim: jsonRpc,
    req,
    res,
    reqFromJson: (params) => {
      if (params !== undefined && params !== null && !isObj(params))
        throw invalid('params', 'must be an object');
      let msg;
      try {
        msg = fromJson(req, (params ?? {}) as never, { ignoreUnknownFields: true });
      } catch (err) {
        throw new A2aError('InvalidParamsError', `params: ${(err as Error).message}`);
      }
      check(msg);
      return msg;
    },
    reqToJson: (m) => toJson(req, m as never),
    resFromJson: (result) => {
      if (opts.emptyResult) return create(res);
      try {
        return fromJson(res, result as never, { ignoreUnknownFields: true });
      } catch (err) {
        throw new A2aError('InvalidAgentResponseError', `result: ${(err as Error).message}`);
      }
    },
    resToJson: (m) => (opts.emptyResult ? null : toJson(res, m as never)),
  };
}

function v03Side<Req extends DescMessage, Res extends DescMessage>(
  jsonRpc: string,
  slim: string,
  req: Req,
  res: Res,
  reqFromJson: Fn<unknown, Message>,
  reqToJson: Fn<never, unknown>,
  resFromJson: Fn<unknown, Message>,
  resToJson: Fn<never, unknown>,
  cross: {
    reqToV1: Fn<never, Message>;
    reqFromV1: Fn<never, Message>;
    resToV1: Fn<never, Message>;
    resFromV1: Fn<never, Message>;
  },
): NonNullable<Op['v03']> {
  const asResult = (fn: Fn<unknown, Message>) => (v: unknown) => {
    try {
      return fn(v);
    } catch (err) {
      if (err instanceof A2aError && err.a2aName === 'InvalidParamsError')
        throw new A2aError('InvalidAgentResponseError', err.message);
      throw err;
    }
  };
  return {
    jsonRpc,
    slim,
    req,
    res,
    reqFromJson,
    reqToJson: reqToJson as Fn<Message, unknown>,
    resFromJson: asResult(resFromJson),
    resToJson: resToJson as Fn<Message, unknown>,
    reqToV1: cross.reqToV1 as Fn<Message, Message>,
    reqFromV1: cross.reqFromV1 as Fn<Message, Message>,
    resToV1: cross.resToV1 as Fn<Message, Message>,
    resFromV1: cross.resFromV1 as Fn<Message, Message>,
  };
}

const need = (ok: unknown, path: string) => {
  if (!ok) throw invalid(path, 'is required');
};

const sendCross = {
  reqToV1: (r: o.SendMessageRequest) =>
    create(n.SendMessageRequestSchema, {
      message: r.request ? x.messageToV1(r.request) : undefined,
      configuration: x.sendConfigToV1(r.configuration),
      metadata: r.metadata,
    }),
  reqFromV1: (r: n.SendMessageRequest) =>
    create(o.SendMessageRequestSchema, {
      request: r.message ? x.messageToV03(r.message) : undefined,
      configuration: x.sendConfigToV03(r.configuration),
      metadata: r.metadata,
    }),
};
const taskCross = { resToV1: (t: o.Task) => x.taskToV1(t), resFromV1: (t: n.Task) => x.taskToV03(t) };
const streamCross = { resToV1: x.streamToV1, resFromV1: x.streamToV03 };
const pushCross = { resToV1: x.pushConfigToV1, resFromV1: x.pushConfigToV03 };
const emptyCross = { resToV1: () => create(EmptySchema), resFromV1: () => create(EmptySchema) };
const ref = (name: string) => {
  const { taskId, configId } = parseConfigName(name);
  return { taskId, id: configId };
};

const SEND_V1 = v1Side('SendMessage', n.SendMessageRequestSchema, n.SendMessageResponseSchema, (r) =>
  need(r.message, 'params.message'),
);

export const OPS: readonly Op[] = [
  {
    name: 'SendMessage',
    streaming: false,
    empty: false,
    v1: SEND_V1,
    v03: v03Side(
      'message/send',
      'SendMessage',
      o.SendMessageRequestSchema,
      o.SendMessageResponseSchema,
      v03.sendRequestFromJson,
      v03.sendRequestToJson,
      v03.sendResultFromJson,
      v03.sendResultToJson,
      {
        ...sendCross,
        resToV1: (r: o.SendMessageResponse) =>
          create(n.SendMessageResponseSchema, {
            payload:
              r.payload.case === 'task'
                ? { case: 'task', value: x.taskToV1(r.payload.value) }
                : r.payload.case === 'msg'
                  ? { case: 'message', value: x.messageToV1(r.payload.value) }
                  : { case: undefined },
          }),
        resFromV1: (r: n.SendMessageResponse) =>
          create(o.SendMessageResponseSchema, {
            payload:
              r.payload.case === 'task'
                ? { case: 'task', value: x.taskToV03(r.payload.value) }
                : r.payload.case === 'message'
                  ? { case: 'msg', value: x.messageToV03(r.payload.value) }
                  : { case: undefined },
          }),
      },
    ),
  },
  {
    name: 'SendStreamingMessage',
    streaming: true,
    empty: false,
    v1: {
      ...v1Side('SendStreamingMessage', n.SendMessageRequestSchema, n.StreamResponseSchema),
      reqFromJson: SEND_V1.reqFromJson,
    },
    v03: v03Side(
      'message/stream',
      'SendStreamingMessage',
      o.SendMessageRequestSchema,
      o.StreamResponseSchema,
      v03.sendRequestFromJson,
      v03.sendRequestToJson,
      v03.streamResultFromJson,
      v03.streamResultToJson,
      { ...sendCross, ...streamCross },
    ),
  },
  {
    name: 'GetTask',
    streaming: false,
    empty: false,
    v1: v1Side('GetTask', n.GetTaskRequestSchema, n.TaskSchema, (r) => need(r.id, 'params.id')),
    v03: v03Side(
      'tasks/get',
      'GetTask',
      o.GetTaskRequestSchema,
      o.TaskSchema,
      v03.getTaskFromJson,
      v03.getTaskToJson,
      v03.taskResultFromJson,
      v03.taskResultToJson,
      {
        reqToV1: (r: o.GetTaskRequest) =>
          create(n.GetTaskRequestSchema, {
            id: parseTaskName(r.name),
            historyLength: r.historyLength > 0 ? r.historyLength : undefined,
          }),
        reqFromV1: (r: n.GetTaskRequest) =>
          create(o.GetTaskRequestSchema, { name: taskName(r.id), historyLength: r.historyLength ?? 0 }),
        ...taskCross,
      },
    ),
  },
  {
    name: 'ListTasks',
    streaming: false,
    empty: false,
    v1: v1Side('ListTasks', n.ListTasksRequestSchema, n.ListTasksResponseSchema),
  },
  {
    name: 'CancelTask',
    streaming: false,
    empty: false,
    v1: v1Side('CancelTask', n.CancelTaskRequestSchema, n.TaskSchema, (r) => need(r.id, 'params.id')),
    v03: v03Side(
      'tasks/cancel',
      'CancelTask',
      o.CancelTaskRequestSchema,
      o.TaskSchema,
      v03.cancelFromJson,
      v03.cancelToJson,
      v03.taskResultFromJson,
      v03.taskResultToJson,
      {
        reqToV1: (r: o.CancelTaskRequest) => create(n.CancelTaskRequestSchema, { id: parseTaskName(r.name) }),
        reqFromV1: (r: n.CancelTaskRequest) => create(o.CancelTaskRequestSchema, { name: taskName(r.id) }),
        ...taskCross,
      },
    ),
  },
  {
    name: 'SubscribeToTask',
    streaming: true,
    empty: false,
    v1: v1Side('SubscribeToTask', n.SubscribeToTaskRequestSchema, n.StreamResponseSchema, (r) =>
      need(r.id, 'params.id'),
    ),
    v03: v03Side(
      'tasks/resubscribe',
      'TaskSubscription',
      o.TaskSubscriptionRequestSchema,
      o.StreamResponseSchema,
      v03.subscribeFromJson,
      v03.subscribeToJson,
      v03.streamResultFromJson,
      v03.streamResultToJson,
      {
        reqToV1: (r: o.TaskSubscriptionRequest) =>
          create(n.SubscribeToTaskRequestSchema, { id: parseTaskName(r.name) }),
        reqFromV1: (r: n.SubscribeToTaskRequest) =>
          create(o.TaskSubscriptionRequestSchema, { name: taskName(r.id) }),
        ...streamCross,
      },
    ),
  },
  {
    name: 'CreateTaskPushNotificationConfig',
    streaming: false,
    empty: false,
    v1: v1Side(
      'CreateTaskPushNotificationConfig',
      n.TaskPushNotificationConfigSchema,
      n.TaskPushNotificationConfigSchema,
      (r) => (need(r.taskId, 'params.taskId'), need(r.url, 'params.url')),
    ),
    v03: v03Side(
      'tasks/pushNotificationConfig/set',
      'CreateTaskPushNotificationConfig',
      o.CreateTaskPushNotificationConfigRequestSchema,
      o.TaskPushNotificationConfigSchema,
      v03.createPushFromJson,
      v03.createPushToJson,
      v03.pushResultFromJson,
      v03.pushResultToJson,
      {
        reqToV1: (r: o.CreateTaskPushNotificationConfigRequest) => {
          const taskId = parseTaskName(r.parent);
          const cfg = x.pushConfigToV1(r.config ?? create(o.TaskPushNotificationConfigSchema));
          return create(n.TaskPushNotificationConfigSchema, { ...cfg, taskId, id: cfg.id || r.configId });
        },
        reqFromV1: (r: n.TaskPushNotificationConfig) =>
          create(o.CreateTaskPushNotificationConfigRequestSchema, {
            parent: taskName(r.taskId),
            configId: r.id,
            config: x.pushConfigToV03(r),
          }),
        ...pushCross,
      },
    ),
  },
  {
    name: 'GetTaskPushNotificationConfig',
    streaming: false,
    empty: false,
    v1: v1Side(
      'GetTaskPushNotificationConfig',
      n.GetTaskPushNotificationConfigRequestSchema,
      n.TaskPushNotificationConfigSchema,
      (r) => need(r.taskId, 'params.taskId'),
    ),
    v03: v03Side(
      'tasks/pushNotificationConfig/get',
      'GetTaskPushNotificationConfig',
      o.GetTaskPushNotificationConfigRequestSchema,
      o.TaskPushNotificationConfigSchema,
      (v) => create(o.GetTaskPushNotificationConfigRequestSchema, v03.configRefFromJson(v, false)),
      v03.configRefToJson,
      v03.pushResultFromJson,
      v03.pushResultToJson,
      {
        reqToV1: (r: o.GetTaskPushNotificationConfigRequest) =>
          create(n.GetTaskPushNotificationConfigRequestSchema, ref(r.name)),
        reqFromV1: (r: n.GetTaskPushNotificationConfigRequest) =>
          create(o.GetTaskPushNotificationConfigRequestSchema, { name: configName(r.taskId, r.id) }),
        ...pushCross,
      },
    ),
  },
  {
    name: 'ListTaskPushNotificationConfigs',
    streaming: false,
    empty: false,
    v1: v1Side(
      'ListTaskPushNotificationConfigs',
      n.ListTaskPushNotificationConfigsRequestSchema,
      n.ListTaskPushNotificationConfigsResponseSchema,
      (r) => need(r.taskId, 'params.taskId'),
    ),
    v03: v03Side(
      'tasks/pushNotificationConfig/list',
      'ListTaskPushNotificationConfig',
      o.ListTaskPushNotificationConfigRequestSchema,
      o.ListTaskPushNotificationConfigResponseSchema,
      v03.listPushFromJson,
      v03.listPushToJson,
      v03.listPushResultFromJson,
      v03.listPushResultToJson,
      {
        reqToV1: (r: o.ListTaskPushNotificationConfigRequest) =>
          create(n.ListTaskPushNotificationConfigsRequestSchema, {
            taskId: parseTaskName(r.parent),
            pageSize: r.pageSize,
            pageToken: r.pageToken,
          }),
        reqFromV1: (r: n.ListTaskPushNotificationConfigsRequest) =>
          create(o.ListTaskPushNotificationConfigRequestSchema, {
            parent: taskName(r.taskId),
            pageSize: r.pageSize,
            pageToken: r.pageToken,
          }),
        resToV1: (r: o.ListTaskPushNotificationConfigResponse) =>
          create(n.ListTaskPushNotificationConfigsResponseSchema, {
            configs: r.configs.map(x.pushConfigToV1),
            nextPageToken: r.nextPageToken,
          }),
        resFromV1: (r: n.ListTaskPushNotificationConfigsResponse) =>
          create(o.ListTaskPushNotificationConfigResponseSchema, {
            configs: r.configs.map(x.pushConfigToV03),
            nextPageToken: r.nextPageToken,
          }),
      },
    ),
  },
  {
    name: 'DeleteTaskPushNotificationConfig',
    streaming: false,
    empty: true,
    v1: v1Side(
      'DeleteTaskPushNotificationConfig',
      n.DeleteTaskPushNotificationConfigRequestSchema,
      EmptySchema,
      (r) => (need(r.taskId, 'params.taskId'), need(r.id, 'params.id')),
      { emptyResult: true },
    ),
    v03: v03Side(
      'tasks/pushNotificationConfig/delete',
      'DeleteTaskPushNotificationConfig',
      o.DeleteTaskPushNotificationConfigRequestSchema,
      EmptySchema,
      (v) => create(o.DeleteTaskPushNotificationConfigRequestSchema, v03.configRefFromJson(v, true)),
      v03.configRefToJson,
      v03.emptyFromJson,
      v03.nullToJson,
      {
        reqToV1: (r: o.DeleteTaskPushNotificationConfigRequest) =>
          create(n.DeleteTaskPushNotificationConfigRequestSchema, ref(r.name)),
        reqFromV1: (r: n.DeleteTaskPushNotificationConfigRequest) =>
          create(o.DeleteTaskPushNotificationConfigRequestSchema, { name: configName(r.taskId, r.id) }),
        ...emptyCross,
      },
    ),
  },
  {
    name: 'GetExtendedAgentCard',
    streaming: false,
    empty: false,
    v1: v1Side('GetExtendedAgentCard', n.GetExtendedAgentCardRequestSchema, n.AgentCardSchema),
    v03: v03Side(
      'agent/getAuthenticatedExtendedCard',
      'GetAgentCard',
      o.GetAgentCardRequestSchema,
      o.AgentCardSchema,
      () => create(o.GetAgentCardRequestSchema),
      () => undefined,
      v03.cardResultFromJson,
      v03.cardResultToJson,
      {
        reqToV1: () => create(n.GetExtendedAgentCardRequestSchema),
        reqFromV1: () => create(o.GetAgentCardRequestSchema),
        resToV1: cardToV1,
        resFromV1: cardToV03,
      },
    ),
  },
];

const BY_JSON_RPC = new Map<string, { op: Op; version: A2aVersion }>();
const BY_SLIM = new Map<string, Op>();
for (const op of OPS) {
  BY_JSON_RPC.set(op.v1.jsonRpc, { op, version: '1.0' });
  BY_SLIM.set(`${SERVICE['1.0']}/${op.v1.slim}`, op);
  if (op.v03) {
    BY_JSON_RPC.set(op.v03.jsonRpc, { op, version: '0.3' });
    BY_SLIM.set(`${SERVICE['0.3']}/${op.v03.slim}`, op);
  }
}

/** The operation and A2A version a JSON-RPC method name belongs to. */
export function opForJsonRpc(method: string): { op: Op; version: A2aVersion } | undefined {
  return BY_JSON_RPC.get(method);
}

export function opByName(name: OpName): Op {
  return OPS.find((op) => op.name === name)!;
}

export function sideOf(op: Op, version: A2aVersion): OpSide | undefined {
  return version === '1.0' ? op.v1 : op.v03;
}

/** A request message of version `from` as one of version `to`. */
export function convertRequest(op: Op, from: A2aVersion, to: A2aVersion, req: Message): Message {
  if (from === to) return req;
  if (!op.v03) throw new A2aError('MethodNotFoundError', `${op.name} does not exist in A2A v0.3`);
  return from === '0.3' ? op.v03.reqToV1(req) : op.v03.reqFromV1(req);
}

export function convertResponse(op: Op, from: A2aVersion, to: A2aVersion, res: Message): Message {
  if (from === to) return res;
  if (!op.v03) throw new A2aError('MethodNotFoundError', `${op.name} does not exist in A2A v0.3`);
  return from === '0.3' ? op.v03.resToV1(res) : op.v03.resFromV1(res);
}

export function encode(schema: DescMessage, msg: Message): Uint8Array {
  return toBinary(schema, msg as never);
}

export function decode(
  schema: DescMessage,
  bytes: Uint8Array,
  error: 'InvalidParamsError' | 'InvalidAgentResponseError',
): Message {
  try {
    return fromBinary(schema, bytes);
  } catch (err) {
    throw new A2aError(error, `undecodable ${schema.typeName}: ${(err as Error).message}`);
  }
}

export { BY_SLIM as OPS_BY_SLIM_METHOD };
