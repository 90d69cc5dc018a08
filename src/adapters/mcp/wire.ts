// The MCP-over-SLIMRPC wire contract (docs/mcp-over-slimrpc.md): service and method names,
// metadata keys, the frame size limit, default deadlines and the payload codec (the UTF-8 JSON of
// exactly one JSON-RPC message, never zero bytes). Both the ingress and the egress use only these.
import { GatewayError } from '../../util/errors.js';
import type { JsonRpcMessage } from './jsonrpc.js';

export const MCP_SERVICE = 'mcp.v1.McpService';

export const McpRpcMethod = {
  /** unary-stream: one JSON-RPC request in; related messages, then exactly one response, out. */
  Request: 'Request',
  /** unary: a notification, or a response to a server-initiated request, in; `{}` out. */
  Notify: 'Notify',
  /** unary-stream: `{}` in; unsolicited server traffic out, until the deadline draws near. */
  Listen: 'Listen',
  /** unary: `{}` in, `{}` out; ends the MCP session (the analogue of HTTP DELETE). */
  Close: 'Close',
} as const;

/** Metadata: the MCP session, chosen by the caller (a UUID); absent for stateless traffic. */
export const META_SESSION_ID = 'mcp-session-id';
/** Metadata: the protocol revision in use (omitted on `initialize`). */
export const META_PROTOCOL_VERSION = 'mcp-protocol-version';
/**
 * Metadata on a `Request` call, value `1`: the caller ends the call itself on the JSON-RPC response
 * and ignores anything after it, so the server may leave out the EOS (docs/mcp-over-slimrpc.md §2,
 * ending on the response). One sealed message fewer per request.
 */
export const META_RESPONSE_ENDS_CALL = 'mcp-response-ends-call';

/**
 * Largest JSON-RPC message carried in one SLIMRPC frame. SLIM does not fragment, and the reference
 * node refuses link frames over 4 MiB; under MLS a 3.5 MB payload still passed and 3.7 MB did not
 * (docs/slimrpc.md#limits), so 3,000,000 bytes leaves room for headers and MLS overhead.
 */
export const MAX_MCP_MESSAGE_BYTES = 3_000_000;

/** Default deadline of a `Request` (a hang guard: clients cancel earlier with their own timeouts). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60 * 60_000;
/** Default deadline of `Notify` and `Close`. */
export const DEFAULT_NOTIFY_TIMEOUT_MS = 30_000;
/** Default deadline of one `Listen`; the caller re-issues it when it ends. */
export const DEFAULT_LISTEN_TIMEOUT_MS = 5 * 60_000;
/** A server ends a `Listen` with OK this long before its deadline, so clock skew below it is harmless. */
export const LISTEN_END_MARGIN_MS = 5_000;

/** Session ids: visible ASCII, 1..128 characters (a UUID is recommended). */
const SESSION_ID_RE = /^[\x21-\x7e]{1,128}$/;

export function isValidSessionId(id: string): boolean {
  return SESSION_ID_RE.test(id);
}

/**
 * The member of a Request or Notify payload that carries the local client's `Authorization` header
 * (docs/mcp-over-slimrpc.md §3.2, the Authorization member): inside the payload, so MLS encrypts it (SLIMRPC
 * metadata is cleartext on the wire). The serving gateway removes it before the message goes on,
 * and passes the header to its server only when the service has `forwardAuthorization`.
 */
export const AUTHORIZATION_MEMBER = 'slim-gateway/authorization';

/** Metadata keys of the W3C trace context (docs/mcp-over-slimrpc.md §3.2, trace context). */
export const META_TRACEPARENT = 'traceparent';
export const META_TRACESTATE = 'tracestate';

const encoder = new TextEncoder();

/** The `{}` acknowledgement of Notify and Close, and the Listen/Close request body. */
export const EMPTY_OBJECT: Uint8Array = encoder.encode('{}');

/** Serializes one message; RESOURCE_EXHAUSTED past MAX_MCP_MESSAGE_BYTES. */
export function encodeMessage(message: JsonRpcMessage, limitBytes = MAX_MCP_MESSAGE_BYTES): Uint8Array {
  const bytes = encoder.encode(JSON.stringify(message));
  checkSize(bytes.byteLength, limitBytes);
  return bytes;
}

/** Serializes one message with the caller's Authorization header inside it (when there is one). */
export function encodeCall(message: JsonRpcMessage, authorization: string | undefined): Uint8Array {
  return encodeMessage(
    authorization === undefined
      ? message
      : ({ ...message, [AUTHORIZATION_MEMBER]: authorization } as JsonRpcMessage),
  );
}

/** Removes the Authorization member from a received message; returns its value if it was a string. */
export function takeAuthorization(message: object): string | undefined {
  if (!(AUTHORIZATION_MEMBER in message)) return undefined;
  const value = (message as Record<string, unknown>)[AUTHORIZATION_MEMBER];
  delete (message as Record<string, unknown>)[AUTHORIZATION_MEMBER];
  return typeof value === 'string' ? value : undefined;
}

/** RESOURCE_EXHAUSTED when `size` exceeds the frame limit, with a message a user can act on. */
export function checkSize(size: number, limitBytes = MAX_MCP_MESSAGE_BYTES): void {
  if (size > limitBytes) {
    throw new GatewayError(
      'RESOURCE_EXHAUSTED',
      `MCP message of ${size} bytes exceeds the ${limitBytes}-byte limit of one SLIM frame`,
    );
  }
}
