// The A2A method table (spec/slimrpc-a2a-mcp.md §2.2): each operation's JSON-RPC names, SLIMRPC
// method names and protobuf messages in A2A v1.0 (service lf.a2a.v1.A2AService) and v0.3
// (service a2a.v1.A2AService), with the conversions between JSON-RPC params/results and the
// protobuf messages of each version (method.ts), and between the two versions (../transcode/requests.ts).
// v1.0 JSON-RPC params are the ProtoJSON of the v1.0 messages; v0.3 ones are mapped by hand.
import { create } from '@bufbuild/protobuf';
import type { Message } from '@bufbuild/protobuf';
import { EmptySchema } from '@bufbuild/protobuf/wkt';
import * as v03 from '../gen/a2a/v0_3/a2a_pb.js';
import * as v1 from '../gen/a2a/v1_0/a2a_pb.js';
import { A2aError } from '../errors.js';
import { need, v03Side, v1Side } from './method.js';
import type { A2aVersion, Op, OpName, OpSide } from './method.js';
import * as jsonV03 from '../v03-json/requests.js';
import * as transcode from '../transcode/requests.js';

export { SERVICE, decode, encode } from './method.js';
export type { A2aVersion, Op, OpName, OpSide } from './method.js';

const SEND_V1 = v1Side('SendMessage', v1.SendMessageRequestSchema, v1.SendMessageResponseSchema, (r) =>
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
      v03.SendMessageRequestSchema,
      v03.SendMessageResponseSchema,
      jsonV03.sendRequestFromJson,
      jsonV03.sendRequestToJson,
      jsonV03.sendResultFromJson,
      jsonV03.sendResultToJson,
      transcode.sendMessage,
    ),
  },
  {
    name: 'SendStreamingMessage',
    streaming: true,
    empty: false,
    v1: {
      ...v1Side('SendStreamingMessage', v1.SendMessageRequestSchema, v1.StreamResponseSchema),
      reqFromJson: SEND_V1.reqFromJson,
    },
    v03: v03Side(
      'message/stream',
      'SendStreamingMessage',
      v03.SendMessageRequestSchema,
      v03.StreamResponseSchema,
      jsonV03.sendRequestFromJson,
      jsonV03.sendRequestToJson,
      jsonV03.streamResultFromJson,
      jsonV03.streamResultToJson,
      transcode.sendStreamingMessage,
    ),
  },
  {
    name: 'GetTask',
    streaming: false,
    empty: false,
    v1: v1Side('GetTask', v1.GetTaskRequestSchema, v1.TaskSchema, (r) => need(r.id, 'params.id')),
    v03: v03Side(
      'tasks/get',
      'GetTask',
      v03.GetTaskRequestSchema,
      v03.TaskSchema,
      jsonV03.getTaskFromJson,
      jsonV03.getTaskToJson,
      jsonV03.taskResultFromJson,
      jsonV03.taskResultToJson,
      transcode.getTask,
    ),
  },
  {
    name: 'ListTasks',
    streaming: false,
    empty: false,
    v1: v1Side('ListTasks', v1.ListTasksRequestSchema, v1.ListTasksResponseSchema),
  },
  {
    name: 'CancelTask',
    streaming: false,
    empty: false,
    v1: v1Side('CancelTask', v1.CancelTaskRequestSchema, v1.TaskSchema, (r) => need(r.id, 'params.id')),
    v03: v03Side(
      'tasks/cancel',
      'CancelTask',
      v03.CancelTaskRequestSchema,
      v03.TaskSchema,
      jsonV03.cancelFromJson,
      jsonV03.cancelToJson,
      jsonV03.taskResultFromJson,
      jsonV03.taskResultToJson,
      transcode.cancelTask,
    ),
  },
  {
    name: 'SubscribeToTask',
    streaming: true,
    empty: false,
    v1: v1Side('SubscribeToTask', v1.SubscribeToTaskRequestSchema, v1.StreamResponseSchema, (r) =>
      need(r.id, 'params.id'),
    ),
    v03: v03Side(
      'tasks/resubscribe',
      'TaskSubscription',
      v03.TaskSubscriptionRequestSchema,
      v03.StreamResponseSchema,
      jsonV03.subscribeFromJson,
      jsonV03.subscribeToJson,
      jsonV03.streamResultFromJson,
      jsonV03.streamResultToJson,
      transcode.subscribeToTask,
    ),
  },
  {
    name: 'CreateTaskPushNotificationConfig',
    streaming: false,
    empty: false,
    v1: v1Side(
      'CreateTaskPushNotificationConfig',
      v1.TaskPushNotificationConfigSchema,
      v1.TaskPushNotificationConfigSchema,
      (r) => (need(r.taskId, 'params.taskId'), need(r.url, 'params.url')),
    ),
    v03: v03Side(
      'tasks/pushNotificationConfig/set',
      'CreateTaskPushNotificationConfig',
      v03.CreateTaskPushNotificationConfigRequestSchema,
      v03.TaskPushNotificationConfigSchema,
      jsonV03.createPushFromJson,
      jsonV03.createPushToJson,
      jsonV03.pushResultFromJson,
      jsonV03.pushResultToJson,
      transcode.createPushConfig,
    ),
  },
  {
    name: 'GetTaskPushNotificationConfig',
    streaming: false,
    empty: false,
    v1: v1Side(
      'GetTaskPushNotificationConfig',
      v1.GetTaskPushNotificationConfigRequestSchema,
      v1.TaskPushNotificationConfigSchema,
      (r) => need(r.taskId, 'params.taskId'),
    ),
    v03: v03Side(
      'tasks/pushNotificationConfig/get',
      'GetTaskPushNotificationConfig',
      v03.GetTaskPushNotificationConfigRequestSchema,
      v03.TaskPushNotificationConfigSchema,
      (v) => create(v03.GetTaskPushNotificationConfigRequestSchema, jsonV03.configRefFromJson(v, false)),
      jsonV03.configRefToJson,
      jsonV03.pushResultFromJson,
      jsonV03.pushResultToJson,
      transcode.getPushConfig,
    ),
  },
  {
    name: 'ListTaskPushNotificationConfigs',
    streaming: false,
    empty: false,
    v1: v1Side(
      'ListTaskPushNotificationConfigs',
      v1.ListTaskPushNotificationConfigsRequestSchema,
      v1.ListTaskPushNotificationConfigsResponseSchema,
      (r) => need(r.taskId, 'params.taskId'),
    ),
    v03: v03Side(
      'tasks/pushNotificationConfig/list',
      'ListTaskPushNotificationConfig',
      v03.ListTaskPushNotificationConfigRequestSchema,
      v03.ListTaskPushNotificationConfigResponseSchema,
      jsonV03.listPushFromJson,
      jsonV03.listPushToJson,
      jsonV03.listPushResultFromJson,
      jsonV03.listPushResultToJson,
      transcode.listPushConfigs,
    ),
  },
  {
    name: 'DeleteTaskPushNotificationConfig',
    streaming: false,
    empty: true,
    v1: v1Side(
      'DeleteTaskPushNotificationConfig',
      v1.DeleteTaskPushNotificationConfigRequestSchema,
      EmptySchema,
      (r) => (need(r.taskId, 'params.taskId'), need(r.id, 'params.id')),
      { emptyResult: true },
    ),
    v03: v03Side(
      'tasks/pushNotificationConfig/delete',
      'DeleteTaskPushNotificationConfig',
      v03.DeleteTaskPushNotificationConfigRequestSchema,
      EmptySchema,
      (v) => create(v03.DeleteTaskPushNotificationConfigRequestSchema, jsonV03.configRefFromJson(v, true)),
      jsonV03.configRefToJson,
      jsonV03.emptyFromJson,
      jsonV03.nullToJson,
      transcode.deletePushConfig,
    ),
  },
  {
    name: 'GetExtendedAgentCard',
    streaming: false,
    empty: false,
    v1: v1Side('GetExtendedAgentCard', v1.GetExtendedAgentCardRequestSchema, v1.AgentCardSchema),
    v03: v03Side(
      'agent/getAuthenticatedExtendedCard',
      'GetAgentCard',
      v03.GetAgentCardRequestSchema,
      v03.AgentCardSchema,
      () => create(v03.GetAgentCardRequestSchema),
      () => undefined,
      jsonV03.cardResultFromJson,
      jsonV03.cardResultToJson,
      transcode.getCard,
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
