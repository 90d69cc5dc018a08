// A2A v0.3 per method: JSON-RPC params/results <-> the v0.3 protobuf request/response
// (spec/slimrpc-a2a-mcp.md §2.2, v0.3 column). Resource names: `{id}` params become
// `tasks/{id}`, and `{id, pushNotificationConfigId}` becomes
// `tasks/{id}/pushNotificationConfigs/{configId}`.
import { create } from '@bufbuild/protobuf';
import { EmptySchema } from '@bufbuild/protobuf/wkt';
import * as v03 from '../gen/a2a/v0_3/a2a_pb.js';
import {
  invalid,
  obj,
  optBool,
  optInt,
  optObj,
  optStr,
  optStruct,
  put,
  str,
  strings,
  arr,
  cloneJson,
} from '../json.js';
import type { Obj } from '../json.js';
import { configName, parseConfigName, parseTaskName, taskName } from '../v03-names.js';
import {
  messageFromJson,
  messageToJson,
  pushConfigFromJson,
  pushConfigToJson,
  streamEventFromJson,
  streamEventToJson,
  taskFromJson,
  taskPushConfigFromJson,
  taskPushConfigToJson,
  taskToJson,
} from './core.js';
import { cardFromJson, cardToJson } from './card.js';

function params(v: unknown): Obj {
  return obj(v ?? {}, 'params');
}

export function sendRequestFromJson(v: unknown): v03.SendMessageRequest {
  const o = params(v);
  const req = create(v03.SendMessageRequestSchema, {
    request: messageFromJson(o['message'], 'params.message'),
    metadata: optStruct(o['metadata'], 'params.metadata'),
  });
  const c = optObj(o['configuration'], 'params.configuration');
  if (c)
    req.configuration = create(v03.SendMessageConfigurationSchema, {
      acceptedOutputModes: strings(c['acceptedOutputModes'], 'params.configuration.acceptedOutputModes'),
      pushNotification: c['pushNotificationConfig']
        ? pushConfigFromJson(c['pushNotificationConfig'], 'params.configuration.pushNotificationConfig')
        : undefined,
      historyLength: optInt(c['historyLength'], 'params.configuration.historyLength') ?? 0,
      blocking: optBool(c['blocking'], 'params.configuration.blocking') ?? false,
    });
  return req;
}

export function sendRequestToJson(r: v03.SendMessageRequest): Obj {
  if (!r.request) throw invalid('params.message', 'is required');
  const out: Obj = { message: messageToJson(r.request) };
  const c = r.configuration;
  if (c) {
    const conf: Obj = { blocking: c.blocking };
    put(conf, 'acceptedOutputModes', [...c.acceptedOutputModes]);
    if (c.historyLength > 0) conf['historyLength'] = c.historyLength;
    if (c.pushNotification) conf['pushNotificationConfig'] = pushConfigToJson(c.pushNotification);
    out['configuration'] = conf;
  }
  put(out, 'metadata', cloneJson(r.metadata));
  return out;
}

export function sendResultFromJson(v: unknown): v03.SendMessageResponse {
  const o = obj(v, 'result');
  if (o['kind'] === 'task')
    return create(v03.SendMessageResponseSchema, {
      payload: { case: 'task', value: taskFromJson(o, 'result') },
    });
  if (o['kind'] === 'message')
    return create(v03.SendMessageResponseSchema, {
      payload: { case: 'msg', value: messageFromJson(o, 'result') },
    });
  throw invalid('result.kind', `expected "task" or "message", got "${String(o['kind'])}"`);
}

export function sendResultToJson(r: v03.SendMessageResponse): Obj {
  if (r.payload.case === 'task') return taskToJson(r.payload.value);
  if (r.payload.case === 'msg') return messageToJson(r.payload.value);
  throw invalid('result', 'the agent answered neither a task nor a message');
}

export function streamResultFromJson(v: unknown): v03.StreamResponse {
  return streamEventFromJson(v, 'result');
}

export function streamResultToJson(r: v03.StreamResponse): Obj {
  return streamEventToJson(r);
}

export function getTaskFromJson(v: unknown): v03.GetTaskRequest {
  const o = params(v);
  return create(v03.GetTaskRequestSchema, {
    name: taskName(str(o['id'], 'params.id')),
    historyLength: optInt(o['historyLength'], 'params.historyLength') ?? 0,
  });
}

export function getTaskToJson(r: v03.GetTaskRequest): Obj {
  const out: Obj = { id: parseTaskName(r.name) };
  if (r.historyLength > 0) out['historyLength'] = r.historyLength;
  return out;
}

export function taskResultFromJson(v: unknown): v03.Task {
  return taskFromJson(v, 'result');
}

export function taskResultToJson(t: v03.Task): Obj {
  return taskToJson(t);
}

export function cancelFromJson(v: unknown): v03.CancelTaskRequest {
  return create(v03.CancelTaskRequestSchema, { name: taskName(str(params(v)['id'], 'params.id')) });
}

export function cancelToJson(r: v03.CancelTaskRequest): Obj {
  return { id: parseTaskName(r.name) };
}

export function subscribeFromJson(v: unknown): v03.TaskSubscriptionRequest {
  return create(v03.TaskSubscriptionRequestSchema, { name: taskName(str(params(v)['id'], 'params.id')) });
}

export function subscribeToJson(r: v03.TaskSubscriptionRequest): Obj {
  return { id: parseTaskName(r.name) };
}

/** `tasks/pushNotificationConfig/set` params are a TaskPushNotificationConfig. */
export function createPushFromJson(v: unknown): v03.CreateTaskPushNotificationConfigRequest {
  const config = taskPushConfigFromJson(params(v), 'params');
  const { taskId } = parseConfigName(config.name);
  return create(v03.CreateTaskPushNotificationConfigRequestSchema, {
    parent: taskName(taskId),
    configId: config.pushNotificationConfig?.id ?? '',
    config,
  });
}

export function createPushToJson(r: v03.CreateTaskPushNotificationConfigRequest): Obj {
  const taskId = parseTaskName(r.parent || r.config?.name || '');
  const inner = pushConfigToJson(r.config?.pushNotificationConfig);
  if (!inner['id'] && r.configId) inner['id'] = r.configId;
  return { taskId, pushNotificationConfig: inner };
}

export function pushResultFromJson(v: unknown): v03.TaskPushNotificationConfig {
  return taskPushConfigFromJson(v, 'result');
}

export function pushResultToJson(c: v03.TaskPushNotificationConfig): Obj {
  return taskPushConfigToJson(c);
}

/** Get and delete share `{id, pushNotificationConfigId}` <-> `{name}`. */
export function configRefFromJson(v: unknown, required: boolean): { name: string } {
  const o = params(v);
  const taskId = str(o['id'], 'params.id');
  const configId = required
    ? str(o['pushNotificationConfigId'], 'params.pushNotificationConfigId')
    : optStr(o['pushNotificationConfigId'], 'params.pushNotificationConfigId');
  return { name: configName(taskId, configId) };
}

export function configRefToJson(r: { name: string }): Obj {
  const { taskId, configId } = parseConfigName(r.name);
  const out: Obj = { id: taskId };
  put(out, 'pushNotificationConfigId', configId);
  return out;
}

export function listPushFromJson(v: unknown): v03.ListTaskPushNotificationConfigRequest {
  return create(v03.ListTaskPushNotificationConfigRequestSchema, {
    parent: taskName(str(params(v)['id'], 'params.id')),
  });
}

export function listPushToJson(r: v03.ListTaskPushNotificationConfigRequest): Obj {
  return { id: parseTaskName(r.parent) };
}

export function listPushResultFromJson(v: unknown): v03.ListTaskPushNotificationConfigResponse {
  return create(v03.ListTaskPushNotificationConfigResponseSchema, {
    configs: arr(v, 'result').map((c, i) => taskPushConfigFromJson(c, `result[${i}]`)),
  });
}

export function listPushResultToJson(r: v03.ListTaskPushNotificationConfigResponse): Obj[] {
  return r.configs.map(taskPushConfigToJson);
}

export const emptyFromJson = () => create(EmptySchema);
export const nullToJson = () => null;

export function cardResultFromJson(v: unknown): v03.AgentCard {
  return cardFromJson(v, 'result');
}

export function cardResultToJson(c: v03.AgentCard): Obj {
  return cardToJson(c);
}
