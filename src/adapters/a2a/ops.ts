// The A2A method table (docs/a2a-over-slim.md#methods): each operation's JSON-RPC names, SLIMRPC
// method names and protobuf messages in A2A v1.0 (service lf.a2a.v1.A2AService) and v0.3
// (service a2a.v1.A2AService), with the conversions between JSON-RPC params/results and the
// protobuf messages of each version (op-sides.ts), and between the two versions (ops-cross.ts).
// v1.0 JSON-RPC params are the ProtoJSON of the v1.0 messages; v0.3 ones are mapped by hand.
import { create } from '@bufbuild/protobuf';
import type { Message } from '@bufbuild/protobuf';
import { EmptySchema } from '@bufbuild/protobuf/wkt';
import * as o from './gen/a2a/v0_3/a2a_pb.js';
import * as n from './gen/a2a/v1_0/a2a_pb.js';
import { A2aError } from './errors.js';
import { need, v03Side, v1Side } from './op-sides.js';
import type { A2aVersion, Op, OpName, OpSide } from './op-sides.js';
import * as v03 from './ops-v03.js';
import * as c from './ops-cross.js';

export { SERVICE, decode, encode } from './op-sides.js';
export type { A2aVersion, Op, OpName, OpSide } from './op-sides.js';

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
      c.sendMessage,
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
      c.sendStreamingMessage,
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
      c.getTask,
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
      c.cancelTask,
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
      c.subscribeToTask,
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
      c.createPushConfig,
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
      c.getPushConfig,
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
      c.listPushConfigs,
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
      c.deletePushConfig,
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
      c.getCard,
    ),
  },
];

const BY_JSON_RPC = new Map<string, { op: Op; version: A2aVersion }>();
for (const op of OPS) {
  BY_JSON_RPC.set(op.v1.jsonRpc, { op, version: '1.0' });
  if (op.v03) {
    BY_JSON_RPC.set(op.v03.jsonRpc, { op, version: '0.3' });
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
