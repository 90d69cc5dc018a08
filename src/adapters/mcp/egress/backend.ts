// The seam between an egress lane and one connection to the local MCP server (docs/mcp-over-
// slimrpc.md §5): a spawned stdio process (stdio-backend.ts) or a Streamable HTTP session
// (http-backend.ts). A connection forwards client messages and reports every server message with
// what it knows of its origin; the lane routes them. Failures are GatewayErrors: UNAVAILABLE (could
// not start or reach the server), NOT_FOUND (the server forgot the session), CLOSED.
import type { Classified, JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from '../jsonrpc.js';
import type { Related } from './router.js';

export interface BackendEvents {
  /** A message from the server; `raw` is its exact text when the transport kept it. */
  message(message: Classified, related: Related, raw?: Uint8Array): void;
  /** The connection is gone for good (process exited, session expired); called at most once. */
  closed(reason: string): void;
}

export interface SendContext {
  /** The protocol revision in use, for transports that carry it (HTTP headers). */
  readonly protocolVersion: string | undefined;
  /** Aborts the exchange (HTTP: closes the request's stream, the modern way to cancel). */
  readonly signal: AbortSignal;
  /**
   * Headers of this call for transports that carry them (HTTP): the trace context and, when the
   * service forwards it, the caller's Authorization.
   */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface BackendConnection {
  /** Connects (spawns the process); rejects with UNAVAILABLE and a readable reason. */
  start(): Promise<void>;
  /**
   * Forwards a client request. Related messages and the response are reported through
   * BackendEvents; resolves once the exchange is over on the transport's side.
   */
  request(message: JsonRpcRequest, ctx: SendContext): Promise<void>;
  /** Forwards a notification, or a response to a server-initiated request. */
  send(message: JsonRpcNotification | JsonRpcResponse, ctx: SendContext): Promise<void>;
  /** Tells the server a request was cancelled (stdio: the notification; HTTP legacy: POST it). */
  cancel(notification: JsonRpcNotification, ctx: SendContext): Promise<void>;
  /** Starts delivering unsolicited traffic, if the transport has a separate stream for it. */
  openUnsolicited(): void;
  /** Ends the connection (kills the process / deletes the HTTP session). Idempotent. */
  close(): Promise<void>;
  /** The server process's id while it runs (stdio); undefined for HTTP. */
  pid?(): number | undefined;
}

export type BackendSpec =
  | { kind: 'stdio'; command: string; args: string[]; env?: Record<string, string>; cwd?: string }
  | { kind: 'http'; url: string; headers?: Record<string, string> };

/** What a lane needs to open a connection: called once per lane. */
export type BackendFactory = (events: BackendEvents, label: string) => BackendConnection;
