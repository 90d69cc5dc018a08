// A2A v0.3 push-notification configs, JSON-RPC objects <-> the v0.3 protobuf: JSON has
// `{taskId, pushNotificationConfig}`, the proto a resource name `tasks/{t}/pushNotificationConfigs/
// {c}` with the config nested. Re-exported by core.ts, with the other core types.
import { create } from '@bufbuild/protobuf';
import * as v03 from '../gen/a2a/v0_3/a2a_pb.js';
import { obj, optObj, optStr, put, str, strings } from '../json.js';
import type { Obj } from '../json.js';
import { configName, parseConfigName } from '../v03-names.js';

export function pushConfigFromJson(v: unknown, path: string): v03.PushNotificationConfig {
  const o = obj(v, path);
  const cfg = create(v03.PushNotificationConfigSchema, {
    id: optStr(o['id'], `${path}.id`),
    url: str(o['url'], `${path}.url`),
    token: optStr(o['token'], `${path}.token`),
  });
  const auth = optObj(o['authentication'], `${path}.authentication`);
  if (auth)
    cfg.authentication = create(v03.AuthenticationInfoSchema, {
      schemes: strings(auth['schemes'], `${path}.authentication.schemes`),
      credentials: optStr(auth['credentials'], `${path}.authentication.credentials`),
    });
  return cfg;
}

export function pushConfigToJson(c: v03.PushNotificationConfig | undefined): Obj {
  const out: Obj = { url: c?.url ?? '' };
  put(out, 'id', c?.id);
  put(out, 'token', c?.token);
  if (c?.authentication) {
    const auth: Obj = { schemes: [...c.authentication.schemes] };
    put(auth, 'credentials', c.authentication.credentials);
    out['authentication'] = auth;
  }
  return out;
}

/** `{taskId, pushNotificationConfig}` <-> `{name: tasks/{t}/pushNotificationConfigs/{c}, ...}`. */
export function taskPushConfigFromJson(v: unknown, path: string): v03.TaskPushNotificationConfig {
  const o = obj(v, path);
  const taskId = str(o['taskId'], `${path}.taskId`);
  const cfg = pushConfigFromJson(o['pushNotificationConfig'], `${path}.pushNotificationConfig`);
  return create(v03.TaskPushNotificationConfigSchema, {
    name: configName(taskId, cfg.id),
    pushNotificationConfig: cfg,
  });
}

export function taskPushConfigToJson(c: v03.TaskPushNotificationConfig): Obj {
  const { taskId, configId } = parseConfigName(c.name);
  const cfg = pushConfigToJson(c.pushNotificationConfig);
  if (!cfg['id'] && configId) cfg['id'] = configId;
  return { taskId, pushNotificationConfig: cfg };
}
