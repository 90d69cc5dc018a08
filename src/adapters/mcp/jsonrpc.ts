// JSON-RPC 2.0 messages as MCP uses them (docs/mcp-over-slimrpc.md §3): parsing and classification
// of exactly one message, loosely (peers' payloads are parsed loosely: unknown members are kept and
// relayed untouched), with the JSON-RPC error a relay must answer for bad input: -32700 for text
// that is not JSON, -32600 for JSON that is not one JSON-RPC message. Pure: no I/O.

export type JsonRpcId = string | number;

export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: JsonRpcId;
  method: string;
  params?: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface JsonRpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export interface JsonRpcResultResponse {
  jsonrpc: '2.0';
  id: JsonRpcId;
  result: unknown;
  [extra: string]: unknown;
}

export interface JsonRpcErrorResponse {
  jsonrpc: '2.0';
  id: JsonRpcId | null;
  error: JsonRpcErrorObject;
  [extra: string]: unknown;
}

export type JsonRpcResponse = JsonRpcResultResponse | JsonRpcErrorResponse;
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

export type Classified =
  | { kind: 'request'; message: JsonRpcRequest }
  | { kind: 'notification'; message: JsonRpcNotification }
  | { kind: 'response'; message: JsonRpcResponse };

/** Standard JSON-RPC codes, plus the ones MCP and its SDKs give a meaning. */
export const JsonRpcCode = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  /** SDK convention: connection closed. */
  CONNECTION_CLOSED: -32000,
  /** SDK convention: request timed out; also "Session not found" on Streamable HTTP. */
  REQUEST_TIMEOUT: -32001,
  /** 2026-07-28: HTTP headers do not match the body. */
  HEADER_MISMATCH: -32020,
  /** 2026-07-28: the server lacks a required client capability. */
  MISSING_CLIENT_CAPABILITY: -32021,
  /** 2026-07-28: the requested protocol version is not supported. */
  UNSUPPORTED_PROTOCOL_VERSION: -32022,
} as const;

export type ParseOutcome =
  { ok: true; value: Classified } | { ok: false; code: number; message: string; id: JsonRpcId | null };

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Parses one JSON-RPC message from UTF-8 bytes or text. */
export function parseMessage(input: Uint8Array | string): ParseOutcome {
  let text: string;
  try {
    text = typeof input === 'string' ? input : decoder.decode(input);
  } catch {
    return { ok: false, code: JsonRpcCode.PARSE_ERROR, message: 'Parse error: not UTF-8', id: null };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: JsonRpcCode.PARSE_ERROR, message: 'Parse error: invalid JSON', id: null };
  }
  return classify(value);
}

function isId(v: unknown): v is JsonRpcId {
  return (typeof v === 'string' && v.length > 0) || (typeof v === 'number' && Number.isFinite(v));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The top-level members JSON-RPC 2.0 defines, per kind of message. */
const MEMBERS: Record<Classified['kind'], ReadonlySet<string>> = {
  request: new Set(['jsonrpc', 'id', 'method', 'params']),
  notification: new Set(['jsonrpc', 'method', 'params']),
  response: new Set(['jsonrpc', 'id', 'result', 'error']),
};

/**
 * Parses a message a client sends toward an MCP server, refusing top-level members JSON-RPC does
 * not define (-32600 naming the first one): the MCP SDK's server drops such a message without an
 * answer, so forwarding it would leave the client waiting for the whole deadline
 * (docs/mcp-over-slimrpc.md §3.1). Messages from servers are parsed loosely (parseMessage).
 */
export function parseClientMessage(
  input: Uint8Array | string,
  reserved: readonly string[] = [],
): ParseOutcome {
  const parsed = parseMessage(input);
  if (!parsed.ok) return parsed;
  const message = parsed.value.message as Record<string, unknown>;
  const allowed = MEMBERS[parsed.value.kind];
  for (const name of Object.keys(message)) {
    if (!allowed.has(name) && !reserved.includes(name)) {
      const shown = JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);
      const id = 'id' in message && isId(message['id']) ? message['id'] : null;
      return {
        ok: false,
        code: JsonRpcCode.INVALID_REQUEST,
        message: `Invalid Request: unknown member ${shown}; a JSON-RPC ${parsed.value.kind} has only ${[...allowed].map((m) => `"${m}"`).join(', ')}`,
        id,
      };
    }
  }
  return parsed;
}

/** Classifies a parsed JSON value as exactly one JSON-RPC message (batches are refused). */
export function classify(value: unknown): ParseOutcome {
  const invalid = (message: string, id: JsonRpcId | null = null): ParseOutcome => ({
    ok: false,
    code: JsonRpcCode.INVALID_REQUEST,
    message: `Invalid Request: ${message}`,
    id,
  });
  if (Array.isArray(value)) return invalid('batches are not supported; send one message at a time');
  if (!isObject(value)) return invalid('not a JSON-RPC message object');
  const id = isId(value['id']) ? value['id'] : null;
  if (value['jsonrpc'] !== '2.0') return invalid('"jsonrpc" must be "2.0"', id);
  const hasMethod = 'method' in value;
  if (hasMethod) {
    if (typeof value['method'] !== 'string' || value['method'] === '') {
      return invalid('"method" must be a non-empty string', id);
    }
    if ('params' in value && !isObject(value['params'])) {
      return invalid('"params" must be an object', id);
    }
    if (!('id' in value))
      return { ok: true, value: { kind: 'notification', message: value as JsonRpcNotification } };
    if (!isId(value['id'])) return invalid('"id" must be a string or a number');
    return { ok: true, value: { kind: 'request', message: value as JsonRpcRequest } };
  }
  const hasResult = 'result' in value;
  const hasError = 'error' in value;
  if (hasResult === hasError) return invalid('a response carries exactly one of "result" and "error"', id);
  if (hasResult) {
    if (!isId(value['id'])) return invalid('a result must carry the request "id"');
    return { ok: true, value: { kind: 'response', message: value as JsonRpcResultResponse } };
  }
  const err = value['error'];
  if (!isObject(err) || !Number.isInteger(err['code']) || typeof err['message'] !== 'string') {
    return invalid('"error" must have an integer "code" and a string "message"', id);
  }
  if (value['id'] !== null && !isId(value['id'])) return invalid('"id" must be a string, a number or null');
  return { ok: true, value: { kind: 'response', message: value as JsonRpcErrorResponse } };
}

export function isErrorResponse(message: JsonRpcResponse): message is JsonRpcErrorResponse {
  return 'error' in message;
}

export function errorResponse(
  id: JsonRpcId | null,
  code: number,
  message: string,
  data?: unknown,
): JsonRpcErrorResponse {
  const error: JsonRpcErrorObject = { code, message };
  if (data !== undefined) error.data = data;
  return { jsonrpc: '2.0', id, error };
}

/** A map key for an id: 1 and "1" are different ids. */
export function idKey(id: JsonRpcId): string {
  return typeof id === 'number' ? `n:${id}` : `s:${id}`;
}

/** `params._meta.progressToken`, if the request asks for progress. */
export function progressTokenOf(message: JsonRpcRequest | JsonRpcNotification): JsonRpcId | undefined {
  const meta = message.params?.['_meta'];
  if (!isObject(meta)) return undefined;
  const token = meta['progressToken'];
  return isId(token) ? token : undefined;
}

/** The `progressToken` a `notifications/progress` refers to. */
export function progressTokenOfNotification(message: JsonRpcNotification): JsonRpcId | undefined {
  const token = message.params?.['progressToken'];
  return isId(token) ? token : undefined;
}

/** The request id a `notifications/cancelled` names. */
export function cancelledRequestId(message: JsonRpcNotification): JsonRpcId | undefined {
  const id = message.params?.['requestId'];
  return isId(id) ? id : undefined;
}

/** The modern (2026-07-28+) per-request protocol version in `_meta`, if any. */
export const PROTOCOL_VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion';

export function metaProtocolVersion(message: JsonRpcRequest | JsonRpcNotification): string | undefined {
  const meta = message.params?.['_meta'];
  if (!isObject(meta)) return undefined;
  const v = meta[PROTOCOL_VERSION_META_KEY];
  return typeof v === 'string' ? v : undefined;
}

/** The first modern protocol revision: stateless, no initialize, `_meta` on every request. */
export const FIRST_MODERN_PROTOCOL_VERSION = '2026-07-28';

/** Whether a protocol version string names a modern (stateless) revision. Dates compare as text. */
export function isModernVersion(version: string | undefined): boolean {
  return (
    version !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(version) && version >= FIRST_MODERN_PROTOCOL_VERSION
  );
}

/** A copy of the message with another id (ids are rewritten only when lanes are shared). */
export function withId<T extends JsonRpcRequest | JsonRpcResponse>(message: T, id: JsonRpcId): T {
  return { ...message, id };
}

/** A copy of a request with another `_meta.progressToken`. */
export function withProgressToken(message: JsonRpcRequest, token: JsonRpcId): JsonRpcRequest {
  const params = message.params ?? {};
  const meta = isObject(params['_meta']) ? params['_meta'] : {};
  return { ...message, params: { ...params, _meta: { ...meta, progressToken: token } } };
}

/** The `id` of a JSON value when it looks like a request, for echoing in an error answer. */
export function echoableId(value: unknown): JsonRpcId | null {
  return isObject(value) && typeof value['method'] === 'string' && isId(value['id']) ? value['id'] : null;
}
