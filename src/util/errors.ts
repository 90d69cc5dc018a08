// The one local error type. Every layer throws GatewayError with a string code and an optional
// cause; wire errors (gRPC/SLIMRPC status, JSON-RPC codes, HTTP status) are built only at the edges,
// each through one exhaustive table.

export type ErrorCode =
  | 'INVALID_ARGUMENT' // bad input from the caller
  | 'CONFIG' // configuration problem
  | 'PROTOCOL' // a peer broke the wire protocol
  | 'UNREACHABLE' // could not reach the node / peer at all
  | 'LINK_REFUSED' // the node refused link negotiation
  | 'LINK_CLOSED' // an established link went away
  | 'CLOSED' // the object was closed locally
  | 'TIMEOUT' // a deadline passed
  | 'CANCELLED' // the caller aborted
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'AUTH' // identity token / signature failure
  | 'MLS' // MLS processing failure
  | 'UNAVAILABLE' // a backend or peer is down
  | 'RESOURCE_EXHAUSTED' // a size or capacity limit
  | 'UNIMPLEMENTED'
  | 'INTERNAL';

export class GatewayError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GatewayError';
    this.code = code;
  }
}

export function isGatewayError(err: unknown, code?: ErrorCode): err is GatewayError {
  return err instanceof GatewayError && (code === undefined || err.code === code);
}

/** A short, safe description of any thrown value (never the payload it may carry). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
