// Per-operation v0.3 <-> v1.0 protobuf conversions for the method table (../methods/table.ts), built from the
// per-type conversions of core.ts and card.ts. v0.3 resource names (`tasks/{id}`,
// `tasks/{id}/pushNotificationConfigs/{cid}`) become the v1.0 id fields and back.
import { create } from '@bufbuild/protobuf';
import { EmptySchema } from '@bufbuild/protobuf/wkt';
import * as v03 from '../gen/a2a/v0_3/a2a_pb.js';
import * as v1 from '../gen/a2a/v1_0/a2a_pb.js';
import * as core from './core.js';
import { cardToV03, cardToV1 } from './card.js';
import { configName, parseConfigName, parseTaskName, taskName } from '../v03-names.js';

const sendRequest = {
  reqToV1: (r: v03.SendMessageRequest) =>
    create(v1.SendMessageRequestSchema, {
      message: r.request ? core.messageToV1(r.request) : undefined,
      configuration: core.sendConfigToV1(r.configuration),
      metadata: r.metadata,
    }),
  reqFromV1: (r: v1.SendMessageRequest) =>
    create(v03.SendMessageRequestSchema, {
      request: r.message ? core.messageToV03(r.message) : undefined,
      configuration: core.sendConfigToV03(r.configuration),
      metadata: r.metadata,
    }),
};
const taskResult = {
  resToV1: (t: v03.Task) => core.taskToV1(t),
  resFromV1: (t: v1.Task) => core.taskToV03(t),
};
const streamResult = { resToV1: core.streamToV1, resFromV1: core.streamToV03 };
const pushResult = { resToV1: core.pushConfigToV1, resFromV1: core.pushConfigToV03 };
const configRef = (name: string) => {
  const { taskId, configId } = parseConfigName(name);
  return { taskId, id: configId };
};

export const sendMessage = {
  ...sendRequest,
  resToV1: (r: v03.SendMessageResponse) =>
    create(v1.SendMessageResponseSchema, {
      payload:
        r.payload.case === 'task'
          ? { case: 'task', value: core.taskToV1(r.payload.value) }
          : r.payload.case === 'msg'
            ? { case: 'message', value: core.messageToV1(r.payload.value) }
            : { case: undefined },
    }),
  resFromV1: (r: v1.SendMessageResponse) =>
    create(v03.SendMessageResponseSchema, {
      payload:
        r.payload.case === 'task'
          ? { case: 'task', value: core.taskToV03(r.payload.value) }
          : r.payload.case === 'message'
            ? { case: 'msg', value: core.messageToV03(r.payload.value) }
            : { case: undefined },
    }),
};

export const sendStreamingMessage = { ...sendRequest, ...streamResult };

export const getTask = {
  reqToV1: (r: v03.GetTaskRequest) =>
    create(v1.GetTaskRequestSchema, {
      id: parseTaskName(r.name),
      historyLength: r.historyLength > 0 ? r.historyLength : undefined,
    }),
  reqFromV1: (r: v1.GetTaskRequest) =>
    create(v03.GetTaskRequestSchema, { name: taskName(r.id), historyLength: r.historyLength ?? 0 }),
  ...taskResult,
};

export const cancelTask = {
  reqToV1: (r: v03.CancelTaskRequest) => create(v1.CancelTaskRequestSchema, { id: parseTaskName(r.name) }),
  reqFromV1: (r: v1.CancelTaskRequest) => create(v03.CancelTaskRequestSchema, { name: taskName(r.id) }),
  ...taskResult,
};

export const subscribeToTask = {
  reqToV1: (r: v03.TaskSubscriptionRequest) =>
    create(v1.SubscribeToTaskRequestSchema, { id: parseTaskName(r.name) }),
  reqFromV1: (r: v1.SubscribeToTaskRequest) =>
    create(v03.TaskSubscriptionRequestSchema, { name: taskName(r.id) }),
  ...streamResult,
};

export const createPushConfig = {
  reqToV1: (r: v03.CreateTaskPushNotificationConfigRequest) => {
    const cfg = core.pushConfigToV1(r.config ?? create(v03.TaskPushNotificationConfigSchema));
    return create(v1.TaskPushNotificationConfigSchema, {
      ...cfg,
      taskId: parseTaskName(r.parent),
      id: cfg.id || r.configId,
    });
  },
  reqFromV1: (r: v1.TaskPushNotificationConfig) =>
    create(v03.CreateTaskPushNotificationConfigRequestSchema, {
      parent: taskName(r.taskId),
      configId: r.id,
      config: core.pushConfigToV03(r),
    }),
  ...pushResult,
};

export const getPushConfig = {
  reqToV1: (r: v03.GetTaskPushNotificationConfigRequest) =>
    create(v1.GetTaskPushNotificationConfigRequestSchema, configRef(r.name)),
  reqFromV1: (r: v1.GetTaskPushNotificationConfigRequest) =>
    create(v03.GetTaskPushNotificationConfigRequestSchema, { name: configName(r.taskId, r.id) }),
  ...pushResult,
};

export const listPushConfigs = {
  reqToV1: (r: v03.ListTaskPushNotificationConfigRequest) =>
    create(v1.ListTaskPushNotificationConfigsRequestSchema, {
      taskId: parseTaskName(r.parent),
      pageSize: r.pageSize,
      pageToken: r.pageToken,
    }),
  reqFromV1: (r: v1.ListTaskPushNotificationConfigsRequest) =>
    create(v03.ListTaskPushNotificationConfigRequestSchema, {
      parent: taskName(r.taskId),
      pageSize: r.pageSize,
      pageToken: r.pageToken,
    }),
  resToV1: (r: v03.ListTaskPushNotificationConfigResponse) =>
    create(v1.ListTaskPushNotificationConfigsResponseSchema, {
      configs: r.configs.map(core.pushConfigToV1),
      nextPageToken: r.nextPageToken,
    }),
  resFromV1: (r: v1.ListTaskPushNotificationConfigsResponse) =>
    create(v03.ListTaskPushNotificationConfigResponseSchema, {
      configs: r.configs.map(core.pushConfigToV03),
      nextPageToken: r.nextPageToken,
    }),
};

export const deletePushConfig = {
  reqToV1: (r: v03.DeleteTaskPushNotificationConfigRequest) =>
    create(v1.DeleteTaskPushNotificationConfigRequestSchema, configRef(r.name)),
  reqFromV1: (r: v1.DeleteTaskPushNotificationConfigRequest) =>
    create(v03.DeleteTaskPushNotificationConfigRequestSchema, { name: configName(r.taskId, r.id) }),
  resToV1: () => create(EmptySchema),
  resFromV1: () => create(EmptySchema),
};

export const getCard = {
  reqToV1: () => create(v1.GetExtendedAgentCardRequestSchema),
  reqFromV1: () => create(v03.GetAgentCardRequestSchema),
  resToV1: cardToV1,
  resFromV1: cardToV03,
};
