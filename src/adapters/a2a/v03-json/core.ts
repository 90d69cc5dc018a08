// A2A v0.3 JSON-RPC objects <-> A2A v0.3 protobuf messages (package a2a.v1), for the core types:
// parts, messages, artifacts, tasks, stream events (push-notification configs: push-config.ts).
// The two v0.3 forms differ (spec/slimrpc-a2a-mcp.md §2.4.4): JSON has `kind` discriminators,
// `file`/`data` part objects, lower-case kebab task states and `taskId` fields; the proto has
// oneofs, TASK_STATE_* enums and `tasks/{id}/pushNotificationConfigs/{id}` resource names.
// What the v0.3 proto cannot carry is dropped: part metadata, file names, referenceTaskIds.
import { create, fromJson, toJson } from '@bufbuild/protobuf';
import { TimestampSchema } from '@bufbuild/protobuf/wkt';
import type { Timestamp } from '@bufbuild/protobuf/wkt';
import * as v03 from '../gen/a2a/v0_3/a2a_pb.js';
import {
  arr,
  cloneJson,
  invalid,
  isObj,
  obj,
  optBool,
  optObj,
  optStr,
  optStruct,
  put,
  str,
  strings,
} from '../json.js';
import type { Obj } from '../json.js';

const STATES: Readonly<Record<string, v03.TaskState>> = {
  unknown: v03.TaskState.UNSPECIFIED,
  submitted: v03.TaskState.SUBMITTED,
  working: v03.TaskState.WORKING,
  completed: v03.TaskState.COMPLETED,
  failed: v03.TaskState.FAILED,
  canceled: v03.TaskState.CANCELLED,
  cancelled: v03.TaskState.CANCELLED,
  'input-required': v03.TaskState.INPUT_REQUIRED,
  rejected: v03.TaskState.REJECTED,
  'auth-required': v03.TaskState.AUTH_REQUIRED,
};
const STATE_NAMES: Readonly<Record<number, string>> = {
  [v03.TaskState.UNSPECIFIED]: 'unknown',
  [v03.TaskState.SUBMITTED]: 'submitted',
  [v03.TaskState.WORKING]: 'working',
  [v03.TaskState.COMPLETED]: 'completed',
  [v03.TaskState.FAILED]: 'failed',
  [v03.TaskState.CANCELLED]: 'canceled',
  [v03.TaskState.INPUT_REQUIRED]: 'input-required',
  [v03.TaskState.REJECTED]: 'rejected',
  [v03.TaskState.AUTH_REQUIRED]: 'auth-required',
};

export function stateFromJson(v: unknown, path: string): v03.TaskState {
  const s = str(v, path);
  const state = STATES[s];
  if (state === undefined) throw invalid(path, `unknown task state "${s}"`);
  return state;
}

export function stateToJson(state: v03.TaskState): string {
  return STATE_NAMES[state] ?? 'unknown';
}

function roleFromJson(v: unknown, path: string): v03.Role {
  if (v === undefined || v === null) return v03.Role.UNSPECIFIED;
  const s = str(v, path);
  if (s === 'user') return v03.Role.USER;
  if (s === 'agent') return v03.Role.AGENT;
  throw invalid(path, `unknown role "${s}"`);
}

function roleToJson(role: v03.Role): string {
  return role === v03.Role.USER ? 'user' : 'agent';
}

/** RFC 3339 / ISO 8601 timestamps; an unparsable one is dropped rather than failing the call. */
export function timestampFromJson(v: unknown): Timestamp | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  try {
    return fromJson(TimestampSchema, v);
  } catch {
    const ms = Date.parse(v);
    if (Number.isNaN(ms)) return undefined;
    return fromJson(TimestampSchema, new Date(ms).toISOString());
  }
}

export function timestampToJson(ts: Timestamp | undefined): string | undefined {
  return ts ? (toJson(TimestampSchema, ts) as string) : undefined;
}

export function partFromJson(v: unknown, path: string): v03.Part {
  const o = obj(v, path);
  const kind = o['kind'] ?? ('text' in o ? 'text' : 'file' in o ? 'file' : 'data' in o ? 'data' : undefined);
  switch (kind) {
    case 'text':
      return create(v03.PartSchema, { part: { case: 'text', value: str(o['text'], `${path}.text`) } });
    case 'file': {
      const f = obj(o['file'], `${path}.file`);
      const file = create(v03.FilePartSchema, { mimeType: optStr(f['mimeType'], `${path}.file.mimeType`) });
      if (typeof f['bytes'] === 'string')
        file.file = { case: 'fileWithBytes', value: Buffer.from(f['bytes'], 'base64') };
      else if (typeof f['uri'] === 'string') file.file = { case: 'fileWithUri', value: f['uri'] };
      else throw invalid(`${path}.file`, 'needs "bytes" or "uri"');
      return create(v03.PartSchema, { part: { case: 'file', value: file } });
    }
    case 'data': {
      const data = optStruct(o['data'], `${path}.data`) ?? {};
      return create(v03.PartSchema, { part: { case: 'data', value: create(v03.DataPartSchema, { data }) } });
    }
    default:
      throw invalid(`${path}.kind`, `unknown part kind "${String(kind)}"`);
  }
}

export function partToJson(part: v03.Part): Obj {
  switch (part.part.case) {
    case 'text':
      return { kind: 'text', text: part.part.value };
    case 'file': {
      const f = part.part.value;
      const file: Obj = {};
      if (f.file.case === 'fileWithBytes') file['bytes'] = Buffer.from(f.file.value).toString('base64');
      else if (f.file.case === 'fileWithUri') file['uri'] = f.file.value;
      put(file, 'mimeType', f.mimeType);
      return { kind: 'file', file };
    }
    case 'data':
      return { kind: 'data', data: cloneJson(part.part.value.data) ?? {} };
    default:
      return { kind: 'text', text: '' };
  }
}

export function messageFromJson(v: unknown, path: string): v03.Message {
  const o = obj(v, path);
  return create(v03.MessageSchema, {
    messageId: str(o['messageId'], `${path}.messageId`),
    contextId: optStr(o['contextId'], `${path}.contextId`),
    taskId: optStr(o['taskId'], `${path}.taskId`),
    role: roleFromJson(o['role'], `${path}.role`),
    content: arr(o['parts'], `${path}.parts`).map((x, i) => partFromJson(x, `${path}.parts[${i}]`)),
    metadata: optStruct(o['metadata'], `${path}.metadata`),
    extensions: strings(o['extensions'], `${path}.extensions`),
  });
}

export function messageToJson(m: v03.Message): Obj {
  const out: Obj = { kind: 'message', messageId: m.messageId, role: roleToJson(m.role) };
  out['parts'] = m.content.map(partToJson);
  put(out, 'contextId', m.contextId);
  put(out, 'taskId', m.taskId);
  put(out, 'metadata', cloneJson(m.metadata));
  put(out, 'extensions', [...m.extensions]);
  return out;
}

export function artifactFromJson(v: unknown, path: string): v03.Artifact {
  const o = obj(v, path);
  return create(v03.ArtifactSchema, {
    artifactId: str(o['artifactId'], `${path}.artifactId`),
    name: optStr(o['name'], `${path}.name`),
    description: optStr(o['description'], `${path}.description`),
    parts: arr(o['parts'], `${path}.parts`).map((x, i) => partFromJson(x, `${path}.parts[${i}]`)),
    metadata: optStruct(o['metadata'], `${path}.metadata`),
    extensions: strings(o['extensions'], `${path}.extensions`),
  });
}

export function artifactToJson(a: v03.Artifact): Obj {
  const out: Obj = { artifactId: a.artifactId, parts: a.parts.map(partToJson) };
  put(out, 'name', a.name);
  put(out, 'description', a.description);
  put(out, 'metadata', cloneJson(a.metadata));
  put(out, 'extensions', [...a.extensions]);
  return out;
}

export function statusFromJson(v: unknown, path: string): v03.TaskStatus {
  const o = optObj(v, path) ?? {};
  const status = create(v03.TaskStatusSchema, {
    state: o['state'] === undefined ? v03.TaskState.UNSPECIFIED : stateFromJson(o['state'], `${path}.state`),
    timestamp: timestampFromJson(o['timestamp']),
  });
  if (isObj(o['message'])) status.update = messageFromJson(o['message'], `${path}.message`);
  return status;
}

export function statusToJson(s: v03.TaskStatus | undefined): Obj {
  const out: Obj = { state: stateToJson(s?.state ?? v03.TaskState.UNSPECIFIED) };
  if (s?.update) out['message'] = messageToJson(s.update);
  put(out, 'timestamp', timestampToJson(s?.timestamp));
  return out;
}

export function taskFromJson(v: unknown, path: string): v03.Task {
  const o = obj(v, path);
  return create(v03.TaskSchema, {
    id: str(o['id'], `${path}.id`),
    contextId: optStr(o['contextId'], `${path}.contextId`),
    status: statusFromJson(o['status'], `${path}.status`),
    artifacts: arr(o['artifacts'], `${path}.artifacts`).map((x, i) =>
      artifactFromJson(x, `${path}.artifacts[${i}]`),
    ),
    history: arr(o['history'], `${path}.history`).map((x, i) => messageFromJson(x, `${path}.history[${i}]`)),
    metadata: optStruct(o['metadata'], `${path}.metadata`),
  });
}

export function taskToJson(t: v03.Task): Obj {
  const out: Obj = { kind: 'task', id: t.id, contextId: t.contextId, status: statusToJson(t.status) };
  put(out, 'artifacts', t.artifacts.map(artifactToJson));
  put(out, 'history', t.history.map(messageToJson));
  put(out, 'metadata', cloneJson(t.metadata));
  return out;
}

function statusUpdateFromJson(o: Obj, path: string): v03.TaskStatusUpdateEvent {
  return create(v03.TaskStatusUpdateEventSchema, {
    taskId: str(o['taskId'], `${path}.taskId`),
    contextId: optStr(o['contextId'], `${path}.contextId`),
    status: statusFromJson(o['status'], `${path}.status`),
    final: optBool(o['final'], `${path}.final`) ?? false,
    metadata: optStruct(o['metadata'], `${path}.metadata`),
  });
}

function artifactUpdateFromJson(o: Obj, path: string): v03.TaskArtifactUpdateEvent {
  return create(v03.TaskArtifactUpdateEventSchema, {
    taskId: str(o['taskId'], `${path}.taskId`),
    contextId: optStr(o['contextId'], `${path}.contextId`),
    artifact: artifactFromJson(o['artifact'], `${path}.artifact`),
    append: optBool(o['append'], `${path}.append`) ?? false,
    lastChunk: optBool(o['lastChunk'], `${path}.lastChunk`) ?? false,
    metadata: optStruct(o['metadata'], `${path}.metadata`),
  });
}

/** A `message/stream` or `tasks/resubscribe` result (by its `kind`). */
export function streamEventFromJson(v: unknown, path: string): v03.StreamResponse {
  const o = obj(v, path);
  switch (o['kind']) {
    case 'task':
      return create(v03.StreamResponseSchema, { payload: { case: 'task', value: taskFromJson(o, path) } });
    case 'message':
      return create(v03.StreamResponseSchema, { payload: { case: 'msg', value: messageFromJson(o, path) } });
    case 'status-update':
      return create(v03.StreamResponseSchema, {
        payload: { case: 'statusUpdate', value: statusUpdateFromJson(o, path) },
      });
    case 'artifact-update':
      return create(v03.StreamResponseSchema, {
        payload: { case: 'artifactUpdate', value: artifactUpdateFromJson(o, path) },
      });
    default:
      throw invalid(`${path}.kind`, `unknown event kind "${String(o['kind'])}"`);
  }
}

export function streamEventToJson(r: v03.StreamResponse): Obj {
  switch (r.payload.case) {
    case 'task':
      return taskToJson(r.payload.value);
    case 'msg':
      return messageToJson(r.payload.value);
    case 'statusUpdate': {
      const e = r.payload.value;
      const out: Obj = { kind: 'status-update', taskId: e.taskId, contextId: e.contextId };
      out['status'] = statusToJson(e.status);
      out['final'] = e.final;
      put(out, 'metadata', cloneJson(e.metadata));
      return out;
    }
    case 'artifactUpdate': {
      const e = r.payload.value;
      const out: Obj = { kind: 'artifact-update', taskId: e.taskId, contextId: e.contextId };
      out['artifact'] = e.artifact ? artifactToJson(e.artifact) : { artifactId: '', parts: [] };
      if (e.append) out['append'] = true;
      if (e.lastChunk) out['lastChunk'] = true;
      put(out, 'metadata', cloneJson(e.metadata));
      return out;
    }
    default:
      throw invalid('result', 'empty stream event');
  }
}

export {
  pushConfigFromJson,
  pushConfigToJson,
  taskPushConfigFromJson,
  taskPushConfigToJson,
} from './push-config.js';
