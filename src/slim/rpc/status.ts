// SLIMRPC status codes (the gRPC set, docs/slimrpc.md#status-codes) and the error that carries one.
// The table to and from the local error codes is exhaustive; anything unknown maps to INTERNAL.
import { GatewayError } from '../../util/errors.js';
import type { ErrorCode } from '../../util/errors.js';

export const StatusCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;
export type StatusCode = (typeof StatusCode)[keyof typeof StatusCode];

const NAMES = Object.fromEntries(Object.entries(StatusCode).map(([k, v]) => [v, k])) as Record<
  StatusCode,
  keyof typeof StatusCode
>;

export function statusName(code: StatusCode): string {
  return NAMES[code] ?? `STATUS_${String(code)}`;
}

/** Parses a `slimrpc-code` value; anything that is not 0..16 reads as UNKNOWN. */
export function parseStatus(text: string): StatusCode {
  const n = Number(text);
  return Number.isInteger(n) && n >= 0 && n <= 16 ? (n as StatusCode) : StatusCode.UNKNOWN;
}

const TO_ERROR_CODE: Record<StatusCode, ErrorCode> = {
  0: 'INTERNAL',
  1: 'CANCELLED',
  2: 'INTERNAL',
  3: 'INVALID_ARGUMENT',
  4: 'TIMEOUT',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'AUTH',
  8: 'RESOURCE_EXHAUSTED',
  9: 'INVALID_ARGUMENT',
  10: 'CANCELLED',
  11: 'INVALID_ARGUMENT',
  12: 'UNIMPLEMENTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  15: 'INTERNAL',
  16: 'AUTH',
};

const FROM_ERROR_CODE: Record<ErrorCode, StatusCode> = {
  INVALID_ARGUMENT: StatusCode.INVALID_ARGUMENT,
  CONFIG: StatusCode.FAILED_PRECONDITION,
  PROTOCOL: StatusCode.INTERNAL,
  UNREACHABLE: StatusCode.UNAVAILABLE,
  LINK_REFUSED: StatusCode.UNAVAILABLE,
  LINK_CLOSED: StatusCode.UNAVAILABLE,
  CLOSED: StatusCode.UNAVAILABLE,
  TIMEOUT: StatusCode.DEADLINE_EXCEEDED,
  CANCELLED: StatusCode.CANCELLED,
  NOT_FOUND: StatusCode.NOT_FOUND,
  ALREADY_EXISTS: StatusCode.ALREADY_EXISTS,
  AUTH: StatusCode.UNAUTHENTICATED,
  MLS: StatusCode.INTERNAL,
  UNAVAILABLE: StatusCode.UNAVAILABLE,
  RESOURCE_EXHAUSTED: StatusCode.RESOURCE_EXHAUSTED,
  UNIMPLEMENTED: StatusCode.UNIMPLEMENTED,
  INTERNAL: StatusCode.INTERNAL,
};

/** An RPC failure with its SLIMRPC status; the message is what travels on the wire. */
export class RpcError extends GatewayError {
  readonly status: StatusCode;

  constructor(status: StatusCode, message: string, options?: { cause?: unknown }) {
    super(TO_ERROR_CODE[status] ?? 'INTERNAL', message, options);
    this.name = 'RpcError';
    this.status = status;
  }

  override toString(): string {
    return `${statusName(this.status)}: ${this.message}`;
  }
}

/** Any thrown value as an RpcError: RpcErrors pass through, GatewayErrors map by code, the rest is INTERNAL. */
export function toRpcError(err: unknown): RpcError {
  if (err instanceof RpcError) return err;
  if (err instanceof GatewayError)
    return new RpcError(FROM_ERROR_CODE[err.code], err.message, { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return new RpcError(StatusCode.INTERNAL, message || 'internal error', { cause: err });
}
