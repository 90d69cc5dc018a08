// The MCP adapter's two error tables (docs/mcp-over-slimrpc.md §7). Egress: local failures to
// SLIMRPC status, with the message convention "<ErrorName>: text". Ingress: a SLIMRPC status to what
// the MCP client sees (a JSON-RPC error and, on HTTP, a status code). JSON-RPC errors produced by
// an MCP server are data, never statuses; a failing backend becomes a JSON-RPC error too, so the
// client always learns what happened to its request.
import { RpcError, StatusCode, statusName } from '../../slim/rpc/index.js';
import { GatewayError } from '../../util/errors.js';
import { JsonRpcCode, errorResponse } from './jsonrpc.js';
import type { JsonRpcErrorResponse, JsonRpcId } from './jsonrpc.js';

/** Egress failures that travel as SLIMRPC statuses, by name. */
export const McpFailure = {
  InvalidMessage: StatusCode.INVALID_ARGUMENT,
  SessionNotFound: StatusCode.NOT_FOUND,
  SessionExists: StatusCode.FAILED_PRECONDITION,
  TooManySessions: StatusCode.RESOURCE_EXHAUSTED,
  MessageTooLarge: StatusCode.RESOURCE_EXHAUSTED,
  Overloaded: StatusCode.RESOURCE_EXHAUSTED,
  Cancelled: StatusCode.CANCELLED,
  DeadlineExceeded: StatusCode.DEADLINE_EXCEEDED,
  ServiceClosed: StatusCode.UNAVAILABLE,
  Internal: StatusCode.INTERNAL,
} as const;
export type McpFailureName = keyof typeof McpFailure;

export function mcpFailure(name: McpFailureName, text: string): RpcError {
  return new RpcError(McpFailure[name], `${name}: ${text}`);
}

/** A local error as the status a handler ends with (catch-all INTERNAL). */
export function toMcpFailure(err: unknown): RpcError {
  if (err instanceof RpcError) return err;
  if (err instanceof GatewayError) {
    switch (err.code) {
      case 'RESOURCE_EXHAUSTED':
        return mcpFailure('MessageTooLarge', err.message);
      case 'INVALID_ARGUMENT':
      case 'PROTOCOL':
        return mcpFailure('InvalidMessage', err.message);
      case 'NOT_FOUND':
        return mcpFailure('SessionNotFound', err.message);
      case 'CANCELLED':
        return mcpFailure('Cancelled', err.message);
      case 'TIMEOUT':
        return mcpFailure('DeadlineExceeded', err.message);
      case 'CLOSED':
        return mcpFailure('ServiceClosed', err.message);
      default:
        return mcpFailure('Internal', err.message);
    }
  }
  return mcpFailure('Internal', err instanceof Error ? err.message : String(err));
}

/** Why a backend could not answer a request; becomes a JSON-RPC error response (data, not a status). */
export type BackendFailure = 'start-failed' | 'exited' | 'unreachable' | 'http-error' | 'overloaded';

const BACKEND_TEXT: Record<BackendFailure, string> = {
  'start-failed': 'MCP server failed to start',
  exited: 'MCP server exited before answering',
  unreachable: 'MCP server unreachable',
  'http-error': 'MCP server answered with an HTTP error',
  overloaded: 'MCP server connection overloaded',
};

export function backendErrorResponse(
  id: JsonRpcId,
  failure: BackendFailure,
  detail?: string,
): JsonRpcErrorResponse {
  const text = BACKEND_TEXT[failure];
  return errorResponse(id, JsonRpcCode.INTERNAL_ERROR, detail ? `${text}: ${detail}` : text, {
    gateway: 'slim-gateway',
    failure,
  });
}

/** What an MCP client sees for a failed SLIMRPC call. */
export interface ClientFailure {
  /** JSON-RPC error code. */
  code: number;
  message: string;
  /** HTTP status when no in-band JSON-RPC answer is possible (and 404 always: the session is gone). */
  httpStatus: number;
  /** The MCP session no longer exists on the server: drop it locally. */
  sessionGone: boolean;
}

/** The ingress table: a SLIMRPC failure as a JSON-RPC error for the MCP client. */
export function clientFailureFor(err: unknown, target: string): ClientFailure {
  const rpc = err instanceof RpcError ? err : toMcpFailure(err);
  const text = rpc.message;
  const f = (code: number, message: string, httpStatus: number, sessionGone = false): ClientFailure => ({
    code,
    message,
    httpStatus,
    sessionGone,
  });
  switch (rpc.status) {
    case StatusCode.NOT_FOUND:
      return f(JsonRpcCode.REQUEST_TIMEOUT, `Session not found (${text})`, 404, true);
    case StatusCode.INVALID_ARGUMENT:
    case StatusCode.FAILED_PRECONDITION:
    case StatusCode.OUT_OF_RANGE:
      return f(JsonRpcCode.INVALID_REQUEST, `Invalid Request: ${text}`, 400);
    case StatusCode.DEADLINE_EXCEEDED:
      return f(JsonRpcCode.REQUEST_TIMEOUT, `Request timed out: ${text}`, 504);
    case StatusCode.CANCELLED:
      return f(JsonRpcCode.CONNECTION_CLOSED, `Request cancelled: ${text}`, 503);
    case StatusCode.RESOURCE_EXHAUSTED:
      return f(JsonRpcCode.INTERNAL_ERROR, text, 502);
    case StatusCode.UNIMPLEMENTED:
      return f(JsonRpcCode.INTERNAL_ERROR, `${target} does not serve MCP over SLIM: ${text}`, 502);
    case StatusCode.UNAVAILABLE:
      return f(JsonRpcCode.INTERNAL_ERROR, `MCP service ${target} unavailable over SLIM: ${text}`, 502);
    case StatusCode.UNAUTHENTICATED:
    case StatusCode.PERMISSION_DENIED:
      return f(JsonRpcCode.INTERNAL_ERROR, `MCP service ${target} refused the caller: ${text}`, 403);
    default:
      return f(
        JsonRpcCode.INTERNAL_ERROR,
        `MCP service ${target} failed (${statusName(rpc.status)}): ${text}`,
        502,
      );
  }
}
