// A2A v0.3 <-> v1.0 protobuf for push-notification configs and the send configuration that may
// carry one (see core.ts for the policy): v0.3 names a config `tasks/{id}/pushNotificationConfigs/
// {id}` and nests it, v1.0 keeps it flat with task and config ids; v0.3 authentication lists
// schemes, v1.0 has one; v0.3 `blocking` is v1.0's `!returnImmediately`.
import { create } from '@bufbuild/protobuf';
import * as v03 from '../gen/a2a/v0_3/a2a_pb.js';
import * as v1 from '../gen/a2a/v1_0/a2a_pb.js';
import { configName, parseConfigName } from '../v03-names.js';

/** v0.3 `TaskPushNotificationConfig{name, push_notification_config}` -> the flat v1.0 one. */
export function pushConfigToV1(c: v03.TaskPushNotificationConfig): v1.TaskPushNotificationConfig {
  const { taskId, configId } = parseConfigName(c.name);
  const inner = c.pushNotificationConfig;
  return create(v1.TaskPushNotificationConfigSchema, {
    id: inner?.id || configId,
    taskId,
    url: inner?.url ?? '',
    token: inner?.token ?? '',
    authentication: inner?.authentication
      ? create(v1.AuthenticationInfoSchema, {
          scheme: inner.authentication.schemes[0] ?? '',
          credentials: inner.authentication.credentials,
        })
      : undefined,
  });
}

export function innerPushConfigToV03(c: v1.TaskPushNotificationConfig): v03.PushNotificationConfig {
  return create(v03.PushNotificationConfigSchema, {
    id: c.id,
    url: c.url,
    token: c.token,
    authentication: c.authentication
      ? create(v03.AuthenticationInfoSchema, {
          schemes: c.authentication.scheme ? [c.authentication.scheme] : [],
          credentials: c.authentication.credentials,
        })
      : undefined,
  });
}

export function pushConfigToV03(c: v1.TaskPushNotificationConfig): v03.TaskPushNotificationConfig {
  return create(v03.TaskPushNotificationConfigSchema, {
    name: configName(c.taskId, c.id),
    pushNotificationConfig: innerPushConfigToV03(c),
  });
}

export function sendConfigToV1(
  c: v03.SendMessageConfiguration | undefined,
): v1.SendMessageConfiguration | undefined {
  if (!c) return undefined;
  return create(v1.SendMessageConfigurationSchema, {
    acceptedOutputModes: c.acceptedOutputModes,
    taskPushNotificationConfig: c.pushNotification
      ? pushConfigToV1(
          create(v03.TaskPushNotificationConfigSchema, { pushNotificationConfig: c.pushNotification }),
        )
      : undefined,
    historyLength: c.historyLength > 0 ? c.historyLength : undefined,
    returnImmediately: !c.blocking,
  });
}

export function sendConfigToV03(
  c: v1.SendMessageConfiguration | undefined,
): v03.SendMessageConfiguration | undefined {
  if (!c) return undefined;
  return create(v03.SendMessageConfigurationSchema, {
    acceptedOutputModes: c.acceptedOutputModes,
    pushNotification: c.taskPushNotificationConfig
      ? innerPushConfigToV03(c.taskPushNotificationConfig)
      : undefined,
    historyLength: c.historyLength ?? 0,
    blocking: !c.returnImmediately,
  });
}
