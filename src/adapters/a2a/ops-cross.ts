// Per-operation v0.3 <-> v1.0 protobuf conversions for the method table (ops.ts), built from the
// per-type conversions of cross.ts and cross-card.ts. v0.3 resource names (`tasks/{id}`,
// `tasks/{id}/pushNotificationConfigs/{cid}`) become the v1.0 id fields and back.
import { create } from '@bufbuild/protobuf';
import { EmptySchema } from '@bufbuild/protobuf/wkt';
import * as o from './gen/a2a/v0_3/a2a_pb.js';
import * as n from './gen/a2a/v1_0/a2a_pb.js';
import * as x from './cross.js';
import { cardToV03, cardToV1 } from './cross-card.js';
import { configName, parseConfigName, parseTaskName, taskName } from './names.js';

const sendRequest = {
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
const taskResult = { resToV1: (t: o.Task) => x.taskToV1(t), resFromV1: (t: n.Task) => x.taskToV03(t) };
const streamResult = { resToV1: x.streamToV1, resFromV1: x.streamToV03 };
const pushResult = { resToV1: x.pushConfigToV1, resFromV1: x.pushConfigToV03 };
const configRef = (name: string) => {
  const { taskId, configId } = parseConfigName(name);
  return { taskId, id: configId };
};

export const sendMessage = {
  ...sendRequest,
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
};

export const sendStreamingMessage = { ...sendRequest, ...streamResult };

export const getTask = {
  reqToV1: (r: o.GetTaskRequest) =>
    create(n.GetTaskRequestSchema, {
      id: parseTaskName(r.name),
      historyLength: r.historyLength > 0 ? r.historyLength : undefined,
    }),
  reqFromV1: (r: n.GetTaskRequest) =>
    create(o.GetTaskRequestSchema, { name: taskName(r.id), historyLength: r.historyLength ?? 0 }),
  ...taskResult,
};

export const cancelTask = {
  reqToV1: (r: o.CancelTaskRequest) => create(n.CancelTaskRequestSchema, { id: parseTaskName(r.name) }),
  reqFromV1: (r: n.CancelTaskRequest) => create(o.CancelTaskRequestSchema, { name: taskName(r.id) }),
  ...taskResult,
};

export const subscribeToTask = {
  reqToV1: (r: o.TaskSubscriptionRequest) =>
    create(n.SubscribeToTaskRequestSchema, { id: parseTaskName(r.name) }),
  reqFromV1: (r: n.SubscribeToTaskRequest) =>
    create(o.TaskSubscriptionRequestSchema, { name: taskName(r.id) }),
  ...streamResult,
};

export const createPushConfig = {
  reqToV1: (r: o.CreateTaskPushNotificationConfigRequest) => {
    const cfg = x.pushConfigToV1(r.config ?? create(o.TaskPushNotificationConfigSchema));
    return create(n.TaskPushNotificationConfigSchema, {
      ...cfg,
      taskId: parseTaskName(r.parent),
      id: cfg.id || r.configId,
    });
  },
  reqFromV1: (r: n.TaskPushNotificationConfig) =>
    create(o.CreateTaskPushNotificationConfigRequestSchema, {
      parent: taskName(r.taskId),
      configId: r.id,
      config: x.pushConfigToV03(r),
    }),
  ...pushResult,
};

export const getPushConfig = {
  reqToV1: (r: o.GetTaskPushNotificationConfigRequest) =>
    create(n.GetTaskPushNotificationConfigRequestSchema, configRef(r.name)),
  reqFromV1: (r: n.GetTaskPushNotificationConfigRequest) =>
    create(o.GetTaskPushNotificationConfigRequestSchema, { name: configName(r.taskId, r.id) }),
  ...pushResult,
};

export const listPushConfigs = {
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
};

export const deletePushConfig = {
  reqToV1: (r: o.DeleteTaskPushNotificationConfigRequest) =>
    create(n.DeleteTaskPushNotificationConfigRequestSchema, configRef(r.name)),
  reqFromV1: (r: n.DeleteTaskPushNotificationConfigRequest) =>
    create(o.DeleteTaskPushNotificationConfigRequestSchema, { name: configName(r.taskId, r.id) }),
  resToV1: () => create(EmptySchema),
  resFromV1: () => create(EmptySchema),
};

export const getCard = {
  reqToV1: () => create(n.GetExtendedAgentCardRequestSchema),
  reqFromV1: () => create(o.GetAgentCardRequestSchema),
  resToV1: cardToV1,
  resFromV1: cardToV03,
};
