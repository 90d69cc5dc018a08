// What a group route does with each A2A method (docs/a2a-over-slim.md "Groups", method table), in
// A2A v1.0 (the ingress converts from and to the client's version):
//   - SendMessage / SendStreamingMessage: every agent over the multicast channel, unless the
//     message continues one agent's task or context (a presented id): then that agent alone;
//   - GetTask, CancelTask, SubscribeToTask and the push-config methods: the agent named by the
//     presented task id, or TaskNotFoundError;
//   - ListTasks: every agent (unicast), the union of their tasks;
//   - GetExtendedAgentCard: the group's card (ingress).
import { create } from '@bufbuild/protobuf';
import type { Message } from '@bufbuild/protobuf';
import type { Member } from '../../group/members.js';
import type { BindingCall } from '../ingress/binding-client.js';
import { A2aError } from '../errors.js';
import * as v1 from '../gen/a2a/v1_0/a2a_pb.js';
import type { Op } from '../methods/table.js';
import { eachMember } from './fanout.js';
import type { GroupEnv } from './fanout.js';
import { ownerOf, prefixPushConfig, prefixStreamResponse, prefixTask } from './ids.js';

/** The request field that names the task, per routed operation. */
const TASK_FIELD: Partial<Record<Op['name'], 'id' | 'taskId'>> = {
  GetTask: 'id',
  CancelTask: 'id',
  SubscribeToTask: 'id',
  CreateTaskPushNotificationConfig: 'taskId',
  GetTaskPushNotificationConfig: 'taskId',
  ListTaskPushNotificationConfigs: 'taskId',
  DeleteTaskPushNotificationConfig: 'taskId',
};

export function isRouted(op: Op): boolean {
  return TASK_FIELD[op.name] !== undefined;
}

/** The agent a routed request names (its task id is given back unprefixed), or TaskNotFoundError. */
export function ownerOfRequest(env: GroupEnv, op: Op, req: Message): Member {
  const field = TASK_FIELD[op.name]!;
  const r = req as unknown as Record<'id' | 'taskId', string>;
  const owner = ownerOf(r[field], (p) => env.members.byPrefix(p) !== undefined);
  const member = owner && env.members.byPrefix(owner.prefix);
  if (!owner || !member)
    throw new A2aError(
      'TaskNotFoundError',
      `Task not found: ${r[field]} (on a group route, task ids are <agent prefix>:<id>)`,
    );
  r[field] = owner.id;
  return member;
}

/** A routed answer with the agent's ids presented again. */
export function presentAnswer(op: Op, res: Message, prefix: string): Message {
  switch (op.name) {
    case 'GetTask':
    case 'CancelTask':
      prefixTask(res as v1.Task, prefix);
      break;
    case 'SubscribeToTask':
      prefixStreamResponse(res as v1.StreamResponse, prefix);
      break;
    case 'CreateTaskPushNotificationConfig':
    case 'GetTaskPushNotificationConfig':
      prefixPushConfig(res as v1.TaskPushNotificationConfig, prefix);
      break;
    case 'ListTaskPushNotificationConfigs':
      for (const c of (res as v1.ListTaskPushNotificationConfigsResponse).configs)
        prefixPushConfig(c, prefix);
      break;
    default:
      break;
  }
  return res;
}

/**
 * ListTasks on a group: the union of every agent's tasks (ids presented), or of one agent's when
 * the `contextId` filter names it. One page: the group does not page across agents.
 */
export async function listTasks(
  env: GroupEnv,
  op: Op,
  req: v1.ListTasksRequest,
  call: BindingCall,
): Promise<v1.ListTasksResponse> {
  const ctx = ownerOf(req.contextId, (p) => env.members.byPrefix(p) !== undefined);
  const targets = ctx ? [env.members.byPrefix(ctx.prefix)!] : [...env.members.all()];
  if (ctx) req.contextId = ctx.id;
  req.pageToken = '';
  const results = await eachMember<v1.ListTasksResponse>(
    env,
    targets,
    (b) => b.unary(op, '1.0', req, call),
    op.name,
  );
  const tasks: v1.Task[] = [];
  let total = 0;
  for (const r of results) {
    if (!r.result) continue;
    for (const t of r.result.tasks) {
      prefixTask(t, r.member.prefix);
      tasks.push(t);
    }
    total += r.result.totalSize || r.result.tasks.length;
  }
  return create(v1.ListTasksResponseSchema, {
    tasks,
    nextPageToken: '',
    pageSize: tasks.length,
    totalSize: total,
  });
}
