// A2A v0.3 protobuf (a2a.v1) <-> A2A v1.0 protobuf (lf.a2a.v1), for the core types: used when a
// client and the remote speak different A2A versions (the ingress falls back to the other
// binding, or the local agent speaks the other version). Lossy where the versions differ, by
// policy (written down in ARCHITECTURE.md): v1.0-only fields are dropped going to v0.3 (part
// metadata and file names, referenceTaskIds, tenants); a non-object v1.0 data part becomes
// `{"value": ...}`; v0.3 `final` is derived from the state (terminal or interrupted); v0.3
// history_length 0 means "no limit" and maps to an unset v1.0 history_length.
import { create, fromJson, toJson } from '@bufbuild/protobuf';
import type { DescMessage, JsonObject, MessageShape } from '@bufbuild/protobuf';
import { ValueSchema } from '@bufbuild/protobuf/wkt';
import * as v03 from '../gen/a2a/v0_3/a2a_pb.js';
import * as v1 from '../gen/a2a/v1_0/a2a_pb.js';

/** Copies a message into a structurally identical one of the other version via ProtoJSON. */
export function bridge<A extends DescMessage, B extends DescMessage>(
  from: A,
  to: B,
  msg: MessageShape<A>,
): MessageShape<B> {
  return fromJson(to, toJson(from, msg), { ignoreUnknownFields: true });
}

export function partToV1(p: v03.Part): v1.Part {
  const v = p.part;
  switch (v.case) {
    case 'text':
      return create(v1.PartSchema, { content: { case: 'text', value: v.value } });
    case 'file': {
      const mediaType = v.value.mimeType;
      const f = v.value.file;
      if (f.case === 'fileWithBytes')
        return create(v1.PartSchema, { content: { case: 'raw', value: f.value }, mediaType });
      return create(v1.PartSchema, { content: { case: 'url', value: f.value ?? '' }, mediaType });
    }
    case 'data':
      return create(v1.PartSchema, {
        content: { case: 'data', value: fromJson(ValueSchema, v.value.data ?? {}) },
      });
    default:
      return create(v1.PartSchema);
  }
}

export function partToV03(p: v1.Part): v03.Part {
  const v = p.content;
  switch (v.case) {
    case 'text':
      return create(v03.PartSchema, { part: { case: 'text', value: v.value } });
    case 'raw':
    case 'url': {
      const file = create(v03.FilePartSchema, { mimeType: p.mediaType });
      file.file =
        v.case === 'raw'
          ? { case: 'fileWithBytes', value: v.value }
          : { case: 'fileWithUri', value: v.value };
      return create(v03.PartSchema, { part: { case: 'file', value: file } });
    }
    case 'data': {
      const json = toJson(ValueSchema, v.value);
      const data = (
        typeof json === 'object' && json !== null && !Array.isArray(json) ? json : { value: json }
      ) as JsonObject;
      return create(v03.PartSchema, { part: { case: 'data', value: create(v03.DataPartSchema, { data }) } });
    }
    default:
      return create(v03.PartSchema);
  }
}

export function messageToV1(m: v03.Message): v1.Message {
  return create(v1.MessageSchema, {
    messageId: m.messageId,
    contextId: m.contextId,
    taskId: m.taskId,
    role: m.role as number as v1.Role,
    parts: m.content.map(partToV1),
    metadata: m.metadata,
    extensions: m.extensions,
  });
}

export function messageToV03(m: v1.Message): v03.Message {
  return create(v03.MessageSchema, {
    messageId: m.messageId,
    contextId: m.contextId,
    taskId: m.taskId,
    role: m.role as number as v03.Role,
    content: m.parts.map(partToV03),
    metadata: m.metadata,
    extensions: m.extensions,
  });
}

export function artifactToV1(a: v03.Artifact): v1.Artifact {
  return create(v1.ArtifactSchema, {
    artifactId: a.artifactId,
    name: a.name,
    description: a.description,
    parts: a.parts.map(partToV1),
    metadata: a.metadata,
    extensions: a.extensions,
  });
}

export function artifactToV03(a: v1.Artifact): v03.Artifact {
  return create(v03.ArtifactSchema, {
    artifactId: a.artifactId,
    name: a.name,
    description: a.description,
    parts: a.parts.map(partToV03),
    metadata: a.metadata,
    extensions: a.extensions,
  });
}

export function statusToV1(s: v03.TaskStatus | undefined): v1.TaskStatus | undefined {
  if (!s) return undefined;
  return create(v1.TaskStatusSchema, {
    state: s.state as number as v1.TaskState,
    message: s.update ? messageToV1(s.update) : undefined,
    timestamp: s.timestamp,
  });
}

export function statusToV03(s: v1.TaskStatus | undefined): v03.TaskStatus | undefined {
  if (!s) return undefined;
  return create(v03.TaskStatusSchema, {
    state: s.state as number as v03.TaskState,
    update: s.message ? messageToV03(s.message) : undefined,
    timestamp: s.timestamp,
  });
}

export function taskToV1(t: v03.Task): v1.Task {
  return create(v1.TaskSchema, {
    id: t.id,
    contextId: t.contextId,
    status: statusToV1(t.status),
    artifacts: t.artifacts.map(artifactToV1),
    history: t.history.map(messageToV1),
    metadata: t.metadata,
  });
}

export function taskToV03(t: v1.Task): v03.Task {
  return create(v03.TaskSchema, {
    id: t.id,
    contextId: t.contextId,
    status: statusToV03(t.status),
    artifacts: t.artifacts.map(artifactToV03),
    history: t.history.map(messageToV03),
    metadata: t.metadata,
  });
}

/** v0.3 `final`: the stream ends after a terminal or interrupted state. */
export function isFinalState(state: number): boolean {
  return (
    state === v1.TaskState.COMPLETED ||
    state === v1.TaskState.FAILED ||
    state === v1.TaskState.CANCELED ||
    state === v1.TaskState.REJECTED ||
    state === v1.TaskState.INPUT_REQUIRED ||
    state === v1.TaskState.AUTH_REQUIRED
  );
}

export function streamToV1(r: v03.StreamResponse): v1.StreamResponse {
  const v = r.payload;
  switch (v.case) {
    case 'task':
      return create(v1.StreamResponseSchema, { payload: { case: 'task', value: taskToV1(v.value) } });
    case 'msg':
      return create(v1.StreamResponseSchema, { payload: { case: 'message', value: messageToV1(v.value) } });
    case 'statusUpdate': {
      const e = v.value;
      const value = create(v1.TaskStatusUpdateEventSchema, {
        taskId: e.taskId,
        contextId: e.contextId,
        status: statusToV1(e.status),
        metadata: e.metadata,
      });
      return create(v1.StreamResponseSchema, { payload: { case: 'statusUpdate', value } });
    }
    case 'artifactUpdate': {
      const e = v.value;
      const value = create(v1.TaskArtifactUpdateEventSchema, {
        taskId: e.taskId,
        contextId: e.contextId,
        artifact: e.artifact ? artifactToV1(e.artifact) : undefined,
        append: e.append,
        lastChunk: e.lastChunk,
        metadata: e.metadata,
      });
      return create(v1.StreamResponseSchema, { payload: { case: 'artifactUpdate', value } });
    }
    default:
      return create(v1.StreamResponseSchema);
  }
}

export function streamToV03(r: v1.StreamResponse): v03.StreamResponse {
  const v = r.payload;
  switch (v.case) {
    case 'task':
      return create(v03.StreamResponseSchema, { payload: { case: 'task', value: taskToV03(v.value) } });
    case 'message':
      return create(v03.StreamResponseSchema, { payload: { case: 'msg', value: messageToV03(v.value) } });
    case 'statusUpdate': {
      const e = v.value;
      const value = create(v03.TaskStatusUpdateEventSchema, {
        taskId: e.taskId,
        contextId: e.contextId,
        status: statusToV03(e.status),
        final: isFinalState(e.status?.state ?? 0),
        metadata: e.metadata,
      });
      return create(v03.StreamResponseSchema, { payload: { case: 'statusUpdate', value } });
    }
    case 'artifactUpdate': {
      const e = v.value;
      const value = create(v03.TaskArtifactUpdateEventSchema, {
        taskId: e.taskId,
        contextId: e.contextId,
        artifact: e.artifact ? artifactToV03(e.artifact) : undefined,
        append: e.append,
        lastChunk: e.lastChunk,
        metadata: e.metadata,
      });
      return create(v03.StreamResponseSchema, { payload: { case: 'artifactUpdate', value } });
    }
    default:
      return create(v03.StreamResponseSchema);
  }
}

export {
  innerPushConfigToV03,
  pushConfigToV03,
  pushConfigToV1,
  sendConfigToV03,
  sendConfigToV1,
} from './push-config.js';
