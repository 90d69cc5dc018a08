// Task and context ids on a group route (docs/a2a-over-slim.md "Groups"): each agent's ids are
// presented as `<prefix>:<id>` (adapters/group/names.ts), so a later GetTask, CancelTask,
// SubscribeToTask, push-config call or follow-up message names its agent and reaches it alone.
// Every answer is tagged with its agent in `metadata["slim-gateway/member"]`. These functions
// work on A2A v1.0 messages (the group works in v1.0 and converts at the edges) and modify them
// in place: callers pass messages they own (freshly decoded).
import type { JsonObject } from '@bufbuild/protobuf';
import { prefixedId, splitPrefixedId } from '../../group/names.js';
import type * as v1 from '../gen/a2a/v1_0/a2a_pb.js';

/** The metadata key naming the agent an answer came from. */
export const MEMBER_KEY = 'slim-gateway/member';

const pre = (p: string, id: string) => (id === '' ? id : prefixedId(p, id));

export function prefixMessage(m: v1.Message, p: string): void {
  m.taskId = pre(p, m.taskId);
  m.contextId = pre(p, m.contextId);
  m.referenceTaskIds = m.referenceTaskIds.map((id) => pre(p, id));
}

export function prefixTask(t: v1.Task, p: string): void {
  t.id = pre(p, t.id);
  t.contextId = pre(p, t.contextId);
  if (t.status?.message) prefixMessage(t.status.message, p);
  for (const h of t.history) prefixMessage(h, p);
}

export function prefixSendResponse(r: v1.SendMessageResponse, p: string): void {
  if (r.payload.case === 'task') prefixTask(r.payload.value, p);
  else if (r.payload.case === 'message') prefixMessage(r.payload.value, p);
}

export function prefixStreamResponse(r: v1.StreamResponse, p: string): void {
  const v = r.payload;
  switch (v.case) {
    case 'task':
      return prefixTask(v.value, p);
    case 'message':
      return prefixMessage(v.value, p);
    case 'statusUpdate':
      v.value.taskId = pre(p, v.value.taskId);
      v.value.contextId = pre(p, v.value.contextId);
      if (v.value.status?.message) prefixMessage(v.value.status.message, p);
      return;
    case 'artifactUpdate':
      v.value.taskId = pre(p, v.value.taskId);
      v.value.contextId = pre(p, v.value.contextId);
      return;
  }
}

export function prefixPushConfig(c: v1.TaskPushNotificationConfig, p: string): void {
  c.taskId = pre(p, c.taskId);
}

function tag(meta: JsonObject | undefined, member: string): JsonObject {
  return { ...(meta ?? {}), [MEMBER_KEY]: member };
}

/** Names the agent on a stream event (on the task, message or update it carries). */
export function tagStreamResponse(r: v1.StreamResponse, member: string): void {
  const v = r.payload;
  if (v.case !== undefined) v.value.metadata = tag(v.value.metadata, member);
}

export function tagSendResponse(r: v1.SendMessageResponse, member: string): void {
  const v = r.payload;
  if (v.case !== undefined) v.value.metadata = tag(v.value.metadata, member);
}

/** The agent prefix and its own id, when `id` is a presented id of a known prefix. */
export function ownerOf(
  id: string,
  known: (prefix: string) => boolean,
): { prefix: string; id: string } | undefined {
  const split = splitPrefixedId(id);
  return split && known(split.prefix) ? split : undefined;
}

/**
 * Where a message goes: to one agent when it continues that agent's task or context (its ids are
 * then given back to the agent unprefixed), else to the whole group (undefined).
 */
export function messageOwner(m: v1.Message, known: (prefix: string) => boolean): string | undefined {
  const owner = ownerOf(m.taskId, known) ?? ownerOf(m.contextId, known);
  if (!owner) return undefined;
  const strip = (id: string) => {
    const o = ownerOf(id, known);
    return o && o.prefix === owner.prefix ? o.id : id;
  };
  m.taskId = strip(m.taskId);
  m.contextId = strip(m.contextId);
  m.referenceTaskIds = m.referenceTaskIds.map(strip);
  return owner.prefix;
}
