// A2A v0.3 protobuf resource names (spec/slimrpc-a2a-mcp.md §2.4.4): `tasks/{task id}` and
// `tasks/{task id}/pushNotificationConfigs/{config id}`. Readers are lenient: a bare id (as some
// peers send) is taken as the task id.
const CONFIG = /^tasks\/([^/]+)\/pushNotificationConfigs\/([^/]*)$/;
const TASK = /^tasks\/([^/]+)\/?$/;

export function taskName(taskId: string): string {
  return `tasks/${taskId}`;
}

export function parseTaskName(name: string): string {
  const config = CONFIG.exec(name);
  if (config) return config[1]!;
  const task = TASK.exec(name);
  return task ? task[1]! : name;
}

export function configName(taskId: string, configId: string): string {
  return configId ? `tasks/${taskId}/pushNotificationConfigs/${configId}` : taskName(taskId);
}

export function parseConfigName(name: string): { taskId: string; configId: string } {
  const config = CONFIG.exec(name);
  if (config) return { taskId: config[1]!, configId: config[2]! };
  return { taskId: parseTaskName(name), configId: '' };
}
