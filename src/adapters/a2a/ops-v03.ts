// A2A v0.3 per method: JSON-RPC params/results <-> the v0.3 protobuf request/response
// (docs/slimrpc.md#a2a-over-slimrpc-reference, v0.3 names). Resource names: `{id}` params become
// `tasks/{id}`, and `{id, pushNotificationConfigId}` becomes
// `tasks/{id}/pushNotificationConfigs/{configId}`.
import { create } from '@bufbuild/protobuf';
import { EmptySchema } from '@bufbuild/protobuf/wkt';
import * as p from './gen/a2a/v0_3/a2a_pb.js';
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
} from './json.js';
import type { Obj } from './json.js';
import { configName, parseConfigName, parseTaskName, taskName } from './names.js';
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
} from './v03-json.js';
import { cardFromJson, cardToJson } from './v03-json-card.js';

function params(v: unknown): Obj {
  return obj(v ?? {}, 'params');
}

export function sendRequestFromJson(v: unknown): p.SendMessageRequest {
  const o = params(v);
  const req = create(p.SendMessageRequestSchema, {
    request: messageFromJson(o['message'], 'params.message'),
    metadata: optStruct(o['metadata'], 'params.metadata'),
  });
  const c = optObj(o['configuration'], 'params.configuration');
  if (c)
    req.configuration = create(p.SendMessageConfigurationSchema, {
      acceptedOutputModes: strings(c['acceptedOutputModes'], 'params.configuration.acceptedOutputModes'),
      pushNotification: c['pushNotificationConfig']
        ? pushConfigFromJson(c['pushNotificationConfig'], 'params.configuration.pushNotificationConfig')
        : undefined,
      historyLength: optInt(c['historyLength'], 'params.configuration.historyLength') ?? 0,
      blocking: optBool(c['blocking'], 'params.configuration.blocking') ?? false,
    });
  return req;
}

export function sendRequestToJson(r: p.SendMessageRequest): Obj {
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

export function sendResultFromJson(v: unknown): p.SendMessageResponse {
  const o = obj(v, 'result');
  if (o['kind'] === 'task')
    return create(p.SendMessageResponseSchema, {
      payload: { case: 'task', value: taskFromJson(o, 'result') },
    });
  if (o['kind'] === 'message')
    return create(p.SendMessageResponseSchema, {
      payload: { case: 'msg', value: messageFromJson(o, 'result') },
    });
  throw invalid('result.kind', `expected "task" or "message", got "${String(o['kind'])}"`);
}

export function sendResultToJson(r: p.SendMessageResponse): Obj {
  if (r.payload.case === 'task') return taskToJson(r.payload.value);
  if (r.payload.case === 'msg') return messageToJson(r.payload.value);
  throw invalid('result', 'the agent answered neither a task nor a message');
}

export function streamResultFromJson(v: unknown): p.StreamResponse {
  return streamEventFromJson(v, 'result');
}

export function streamResultToJson(r: p.StreamResponse): Obj {
  return streamEventToJson(r);
}

export function getTaskFromJson(v: unknown): p.GetTaskRequest {
  const o = params(v);
  return create(p.GetTaskRequestSchema, {
    name: taskName(str(o['id'], 'params.id')),
    historyLength: optInt(o['historyLength'], 'params.historyLength') ?? 0,
  });
}

export function getTaskToJson(r: p.GetTaskRequest): Obj {
  const out: Obj = { id: parseTaskName(r.name) };
  if (r.historyLength > 0) out['historyLength'] = r.historyLength;
  return out;
}

export function taskResultFromJson(v: unknown): p.Task {
  return taskFromJson(v, 'result');
}

export function taskResultToJson(t: p.Task): Obj {
  return taskToJson(t);
}

export function cancelFromJson(v: unknown): p.CancelTaskRequest {
  return create(p.CancelTaskRequestSchema, { name: taskName(str(params(v)['id'], 'params.id')) });
}

export function cancelToJson(r: p.CancelTaskRequest): Obj {
  return { id: parseTaskName(r.name) };
}

export function subscribeFromJson(v: unknown): p.TaskSubscriptionRequest {
  return create(p.TaskSubscriptionRequestSchema, { name: taskName(str(params(v)['id'], 'params.id')) });
}

export function subscribeToJson(r: p.TaskSubscriptionRequest): Obj {
  return { id: parseTaskName(r.name) };
}

/** `tasks/pushNotificationConfig/set` params are a TaskPushNotificationConfig. */
export function createPushFromJson(v: unknown): p.CreateTaskPushNotificationConfigRequest {
  const config = taskPushConfigFromJson(params(v), 'params');
  const { taskId } = parseConfigName(config.name);
  return create(p.CreateTaskPushNotificationConfigRequestSchema, {
    parent: taskName(taskId),
    configId: config.pushNotificationConfig?.id ?? '',
    config,
  });
}

export function createPushToJson(r: p.CreateTaskPushNotificationConfigRequest): Obj {
  const taskId = parseTaskName(r.parent || r.config?.name || '');
  const inner = pushConfigToJson(r.config?.pushNotificationConfig);
  if (!inner['id'] && r.configId) inner['id'] = r.configId;
  return { taskId, pushNotificationConfig: inner };
}

export function pushResultFromJson(v: unknown): p.TaskPushNotificationConfig {
  return taskPushConfigFromJson(v, 'result');
}

export function pushResultToJson(c: p.TaskPushNotificationConfig): Obj {
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

export function listPushFromJson(v: unknown): p.ListTaskPushNotificationConfigRequest {
  return create(p.ListTaskPushNotificationConfigRequestSchema, {
    parent: taskName(str(params(v)['id'], 'params.id')),
  });
}

export function listPushToJson(r: p.ListTaskPushNotificationConfigRequest): Obj {
  return { id: parseTaskName(r.parent) };
}

export function listPushResultFromJson(v: unknown): p.ListTaskPushNotificationConfigResponse {
  return create(p.ListTaskPushNotificationConfigResponseSchema, {
    configs: arr(v, 'result').map((c, i) => taskPushConfigFromJson(c, `result[${i}]`)),
  });
}

export function listPushResultToJson(r: p.ListTaskPushNotificationConfigResponse): Obj[] {
  return r.configs.map(taskPushConfigToJson);
}

export const emptyFromJson = () => create(EmptySchema);
export const nullToJson = () => null;

export function cardResultFromJson(v: unknown): p.AgentCard {
  return cardFromJson(v, 'result');
}

export function cardResultToJson(c: p.AgentCard): Obj {
  return cardToJson(c);
}
