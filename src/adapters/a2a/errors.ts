// A2A errors and their three wire forms, through one table (spec/slimrpc-a2a-mcp.md §2.1, §2.2;
// A2A v1.0 specification §5.4 and §9.5):
//   - SLIMRPC: a status code plus the message `"<ErrorName>: <text>"` (the binding's convention);
//   - JSON-RPC: the A2A code (-32001 ... -32009) or a standard one (-32700 ... -32603);
//   - local: A2aError, a GatewayError that remembers its A2A name.
// Reading a SLIMRPC error, the `ErrorName:` prefix decides (servers disagree on status codes, e.g.
// the Python reference sends MethodNotFoundError as NOT_FOUND); without a prefix the status does.
// Anything unknown maps to InternalError / -32603.
import { GatewayError } from '../../util/errors.js';
import type { ErrorCode } from '../../util/errors.js';
import { RpcError, StatusCode, statusName, toRpcError } from '../../slim/rpc/index.js';

export type A2aErrorName =
  | 'TaskNotFoundError'
  | 'TaskNotCancelableError'
  | 'PushNotificationNotSupportedError'
  | 'UnsupportedOperationError'
  | 'ContentTypeNotSupportedError'
  | 'InvalidAgentResponseError'
  | 'ExtendedAgentCardNotConfiguredError'
  | 'ExtensionSupportRequiredError'
  | 'VersionNotSupportedError'
  | 'JSONParseError'
  | 'InvalidRequestError'
  | 'MethodNotFoundError'
  | 'InvalidParamsError'
  | 'InternalError';

interface Row {
  readonly jsonRpc: number;
  readonly status: StatusCode;
  readonly local: ErrorCode;
  /** True for the A2A-specific errors, which carry a google.rpc.ErrorInfo in v1.0 JSON-RPC. */
  readonly a2a: boolean;
}

export const A2A_ERRORS: Readonly<Record<A2aErrorName, Row>> = {
  TaskNotFoundError: { jsonRpc: -32001, status: StatusCode.NOT_FOUND, local: 'NOT_FOUND', a2a: true },
  TaskNotCancelableError: {
    jsonRpc: -32002,
    status: StatusCode.FAILED_PRECONDITION,
    local: 'INVALID_ARGUMENT',
    a2a: true,
  },
  PushNotificationNotSupportedError: {
    jsonRpc: -32003,
    status: StatusCode.UNIMPLEMENTED,
    local: 'UNIMPLEMENTED',
    a2a: true,
  },
  UnsupportedOperationError: {
    jsonRpc: -32004,
    status: StatusCode.UNIMPLEMENTED,
    local: 'UNIMPLEMENTED',
    a2a: true,
  },
  ContentTypeNotSupportedError: {
    jsonRpc: -32005,
    status: StatusCode.INVALID_ARGUMENT,
    local: 'INVALID_ARGUMENT',
    a2a: true,
  },
  InvalidAgentResponseError: { jsonRpc: -32006, status: StatusCode.INTERNAL, local: 'PROTOCOL', a2a: true },
  ExtendedAgentCardNotConfiguredError: {
    jsonRpc: -32007,
    status: StatusCode.FAILED_PRECONDITION,
    local: 'UNIMPLEMENTED',
    a2a: true,
  },
  ExtensionSupportRequiredError: {
    jsonRpc: -32008,
    status: StatusCode.FAILED_PRECONDITION,
    local: 'INVALID_ARGUMENT',
    a2a: true,
  },
  VersionNotSupportedError: {
    jsonRpc: -32009,
    status: StatusCode.UNIMPLEMENTED,
    local: 'UNIMPLEMENTED',
    a2a: true,
  },
  JSONParseError: { jsonRpc: -32700, status: StatusCode.INTERNAL, local: 'INVALID_ARGUMENT', a2a: false },
  InvalidRequestError: {
    jsonRpc: -32600,
    status: StatusCode.INVALID_ARGUMENT,
    local: 'INVALID_ARGUMENT',
    a2a: false,
  },
  MethodNotFoundError: {
    jsonRpc: -32601,
    status: StatusCode.UNIMPLEMENTED,
    local: 'UNIMPLEMENTED',
    a2a: false,
  },
  InvalidParamsError: {
    jsonRpc: -32602,
    status: StatusCode.INVALID_ARGUMENT,
    local: 'INVALID_ARGUMENT',
    a2a: false,
  },
  InternalError: { jsonRpc: -32603, status: StatusCode.INTERNAL, local: 'INTERNAL', a2a: false },
};

/** Other spellings seen on the wire (v0.3 names, SDK class names) and the error they mean. */
const ALIASES: Readonly<Record<string, A2aErrorName>> = {
  AuthenticatedExtendedCardNotConfiguredError: 'ExtendedAgentCardNotConfiguredError',
  RequestMalformedError: 'InvalidParamsError',
  InvalidRequestParamsError: 'InvalidParamsError',
  JsonParseError: 'JSONParseError',
};

const BY_JSON_RPC = new Map<number, A2aErrorName>(
  (Object.entries(A2A_ERRORS) as [A2aErrorName, Row][]).map(([name, row]) => [row.jsonRpc, name]),
);

/** An A2A error: the name travels on every wire, the text is for people. */
export class A2aError extends GatewayError {
  readonly a2aName: A2aErrorName;

  constructor(name: A2aErrorName, message: string, options?: { cause?: unknown }) {
    super(A2A_ERRORS[name].local, message, options);
    this.name = 'A2aError';
    this.a2aName = name;
  }
}

export function a2aErrorName(text: string): A2aErrorName | undefined {
  if (Object.hasOwn(A2A_ERRORS, text)) return text as A2aErrorName;
  return ALIASES[text];
}

/**
 * An error as the binding sends it: A2A errors with their status and `"Name: text"`; gateway
 * failures (agent down: UNAVAILABLE, deadline, ...) with their own status; the rest INTERNAL.
 */
export function toRpcStatus(err: unknown): RpcError {
  if (err instanceof RpcError) return err;
  if (err instanceof GatewayError && !(err instanceof A2aError)) return toRpcError(err);
  const a2a = asA2aError(err);
  return new RpcError(A2A_ERRORS[a2a.a2aName].status, `${a2a.a2aName}: ${a2a.message}`, { cause: err });
}

const PREFIX = /^([A-Za-z][A-Za-z0-9]*Error):\s?([\s\S]*)$/;

/** A SLIMRPC error read back as an A2A error (the `Name:` prefix first, the status second). */
export function fromRpcStatus(err: RpcError): A2aError {
  const m = PREFIX.exec(err.message);
  const named = m ? a2aErrorName(m[1]!) : undefined;
  if (named) return new A2aError(named, m![2]!, { cause: err });
  switch (err.status) {
    case StatusCode.UNIMPLEMENTED:
      return new A2aError('MethodNotFoundError', err.message, { cause: err });
    case StatusCode.INVALID_ARGUMENT:
      return new A2aError('InvalidParamsError', err.message, { cause: err });
    case StatusCode.NOT_FOUND:
      return new A2aError('TaskNotFoundError', err.message, { cause: err });
    case StatusCode.UNAVAILABLE:
      return new A2aError('InternalError', `agent unavailable over SLIM: ${err.message}`, { cause: err });
    case StatusCode.PERMISSION_DENIED:
    case StatusCode.UNAUTHENTICATED:
      return new A2aError('InternalError', `the agent refused the caller: ${err.message}`, { cause: err });
    default:
      return new A2aError('InternalError', `${statusName(err.status)}: ${err.message}`, { cause: err });
  }
}

/** Any thrown value as an A2aError (RpcErrors through their status; the rest is InternalError). */
export function asA2aError(err: unknown): A2aError {
  if (err instanceof A2aError) return err;
  if (err instanceof RpcError) return fromRpcStatus(err);
  if (err instanceof GatewayError) {
    switch (err.code) {
      case 'INVALID_ARGUMENT':
        return new A2aError('InvalidParamsError', err.message, { cause: err });
      case 'UNAVAILABLE':
      case 'UNREACHABLE':
        return new A2aError('InternalError', `agent unavailable: ${err.message}`, { cause: err });
      default:
        return new A2aError('InternalError', err.message, { cause: err });
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  return new A2aError('InternalError', message || 'internal error', { cause: err });
}

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** `google.rpc.ErrorInfo.reason`: the name in UPPER_SNAKE_CASE without the `Error` suffix. */
export function errorReason(name: A2aErrorName): string {
  return name
    .replace(/Error$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase();
}

/**
 * The JSON-RPC error object for a client speaking `version`: v1.0 adds the ErrorInfo detail
 * the specification requires for A2A-specific errors; v0.3 has no details.
 */
export function toJsonRpcError(err: unknown, version: '1.0' | '0.3'): JsonRpcErrorObject {
  const a2a = asA2aError(err);
  const row = A2A_ERRORS[a2a.a2aName];
  const out: JsonRpcErrorObject = { code: row.jsonRpc, message: a2a.message || a2a.a2aName };
  if (version === '1.0' && row.a2a) {
    out.data = [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: errorReason(a2a.a2aName),
        domain: 'a2a-protocol.org',
      },
    ];
  }
  return out;
}

/** A JSON-RPC error object received from an agent, as an A2aError (unknown codes: InternalError). */
export function fromJsonRpcError(error: unknown): A2aError {
  const obj = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const code = typeof obj['code'] === 'number' ? obj['code'] : NaN;
  const message = typeof obj['message'] === 'string' ? obj['message'] : 'error without a message';
  const name = BY_JSON_RPC.get(code);
  if (name) return new A2aError(name, message);
  return new A2aError('InternalError', Number.isNaN(code) ? message : `${message} (code ${code})`);
}
