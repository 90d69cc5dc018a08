// The answers a group route builds (docs/a2a-over-slim.md "Groups"), as A2A v1.0 messages that a
// standard client parses: one agent Message whose first part is a one-line summary and whose
// other parts are one data part per agent, `{member, prefix, status, response | error}`; a
// Message event naming an agent that failed during a stream; and the closing summary Message of a
// stream. The per-agent status also travels in `metadata["slim-gateway/group"]`. Pure.
import { randomUUID } from 'node:crypto';
import { create, fromJson } from '@bufbuild/protobuf';
import type { JsonObject, JsonValue } from '@bufbuild/protobuf';
import { ValueSchema } from '@bufbuild/protobuf/wkt';
import * as v1 from '../gen/a2a/v1_0/a2a_pb.js';
import { MEMBER_KEY } from './ids.js';

export const GROUP_KEY = 'slim-gateway/group';

export interface AgentStatus {
  readonly member: string;
  readonly prefix: string;
  readonly status: 'ok' | 'failed';
  readonly error?: { readonly code: number; readonly message: string };
}

export interface AgentOutcome extends AgentStatus {
  /** The agent's answer, as JSON of the client's A2A version (ids presented). */
  readonly response?: JsonValue;
}

function statusJson(s: AgentStatus): JsonObject {
  const out: JsonObject = { member: s.member, prefix: s.prefix, status: s.status };
  if (s.error) out['error'] = { code: s.error.code, message: s.error.message };
  return out;
}

export function groupMetadata(statuses: readonly AgentStatus[]): JsonObject {
  return { [GROUP_KEY]: { members: statuses.map(statusJson) } };
}

export function summaryText(statuses: readonly AgentStatus[]): string {
  const ok = statuses.filter((s) => s.status === 'ok').map((s) => s.member);
  const failed = statuses.filter((s) => s.status === 'failed').map((s) => s.member);
  let text = `${ok.length} of ${statuses.length} agents answered`;
  if (ok.length > 0) text += `: ${ok.join(', ')}`;
  if (failed.length > 0) text += `; failed: ${failed.join(', ')}`;
  return text;
}

const textPart = (text: string) => create(v1.PartSchema, { content: { case: 'text', value: text } });

/** The non-streaming answer: a summary part, then one data part per agent, in member order. */
export function aggregateMessage(outcomes: readonly AgentOutcome[], contextId: string): v1.Message {
  const parts = [textPart(summaryText(outcomes))];
  for (const o of outcomes) {
    const data = statusJson(o);
    if (o.response !== undefined) data['response'] = o.response;
    parts.push(
      create(v1.PartSchema, {
        content: { case: 'data', value: fromJson(ValueSchema, data) },
        mediaType: 'application/json',
        metadata: { [MEMBER_KEY]: o.member },
      }),
    );
  }
  return create(v1.MessageSchema, {
    messageId: `group-${randomUUID()}`,
    contextId,
    role: v1.Role.AGENT,
    parts,
    metadata: groupMetadata(outcomes),
  });
}

/** A stream event saying that one agent failed (the stream goes on with the others). */
export function failureEvent(s: AgentStatus, contextId: string): v1.StreamResponse {
  const message = create(v1.MessageSchema, {
    messageId: `group-${randomUUID()}`,
    contextId,
    role: v1.Role.AGENT,
    parts: [textPart(`agent ${s.member} failed: ${s.error?.message ?? 'no answer'}`)],
    metadata: { [MEMBER_KEY]: s.member, [GROUP_KEY]: { members: [statusJson(s)] } },
  });
  return create(v1.StreamResponseSchema, { payload: { case: 'message', value: message } });
}

/** The last event of a group stream: who answered, who failed. */
export function summaryEvent(statuses: readonly AgentStatus[], contextId: string): v1.StreamResponse {
  const message = create(v1.MessageSchema, {
    messageId: `group-${randomUUID()}`,
    contextId,
    role: v1.Role.AGENT,
    parts: [textPart(summaryText(statuses))],
    metadata: groupMetadata(statuses),
  });
  return create(v1.StreamResponseSchema, { payload: { case: 'message', value: message } });
}
