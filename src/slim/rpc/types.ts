// Public surface of SLIMRPC (docs/slimrpc.md): clients call `service/method` on a SLIM
// name with raw bytes; servers register handlers for the four patterns. Adapters (MCP, A2A) see
// only these types. Implementations: SLIM-backed (channel.ts, server.ts, multicast.ts) and
// in-memory (test/support/memory-rpc.ts) for component tests.
import type { SlimName } from '../dataplane/name.js';
import type { RpcError } from './status.js';

export interface CallOptions {
  /** Deadline relative to now (sent as `slimrpc-timeout`, enforced locally too). */
  timeoutMs?: number;
  /** Aborting stops the caller waiting; late frames are discarded. */
  signal?: AbortSignal;
  /** Caller metadata (cleartext on the wire even with MLS: no secrets). */
  metadata?: Record<string, string>;
}

export interface RpcClient {
  /** The SLIM name this client calls. */
  readonly target: SlimName;
  unary(service: string, method: string, request: Uint8Array, options?: CallOptions): Promise<Uint8Array>;
  serverStream(
    service: string,
    method: string,
    request: Uint8Array,
    options?: CallOptions,
  ): AsyncIterable<Uint8Array>;
  clientStream(
    service: string,
    method: string,
    requests: AsyncIterable<Uint8Array>,
    options?: CallOptions,
  ): Promise<Uint8Array>;
  bidiStream(
    service: string,
    method: string,
    requests: AsyncIterable<Uint8Array>,
    options?: CallOptions,
  ): AsyncIterable<Uint8Array>;
  close(): Promise<void>;
}

/** One item of a multicast call, attributed to the member that produced it. */
export type MulticastItem =
  | { kind: 'data'; member: SlimName; payload: Uint8Array }
  | { kind: 'end'; member: SlimName }
  | { kind: 'error'; member: SlimName; error: RpcError };

export interface MulticastClient {
  /** Current members (full names once joined). */
  members(): SlimName[];
  addMember(name: SlimName, options?: { signal?: AbortSignal }): Promise<void>;
  removeMember(name: SlimName): Promise<void>;
  /**
   * Delivers the request to every member; yields every member's response and end (or error),
   * completing when each member has ended or the deadline passed (then one DEADLINE_EXCEEDED
   * error item per member still missing).
   */
  unary(
    service: string,
    method: string,
    request: Uint8Array,
    options?: CallOptions,
  ): AsyncIterable<MulticastItem>;
  serverStream(
    service: string,
    method: string,
    request: Uint8Array,
    options?: CallOptions,
  ): AsyncIterable<MulticastItem>;
  close(): Promise<void>;
}

export interface RpcContext {
  readonly service: string;
  readonly method: string;
  /** Session metadata merged with the call's first-frame metadata. */
  readonly metadata: Readonly<Record<string, string>>;
  /** The caller's full SLIM name. */
  readonly source: SlimName;
  /**
   * The caller's verified identity (its claimed name with a shared secret, its JWT subject
   * otherwise): what `allow` lists match. Bound to `source` by the session layer.
   */
  readonly identity: string;
  /** Absolute deadline, epoch milliseconds. */
  readonly deadline: number;
  /** Fires on deadline, session close or server shutdown. */
  readonly signal: AbortSignal;
  /**
   * No EOS follows the handler's last message when it ends without error. Only for a caller that
   * said, in a protocol of its own above SLIMRPC, that it ends the call itself on that message
   * (MCP's `mcp-response-ends-call`, docs/mcp-over-slimrpc.md); any other caller would wait for
   * the EOS until its deadline. A handler that sends nothing still ends with an EOS.
   */
  readonly omitEos: () => void;
}

export type UnaryHandler = (request: Uint8Array, ctx: RpcContext) => Promise<Uint8Array>;
export type ServerStreamHandler = (request: Uint8Array, ctx: RpcContext) => AsyncIterable<Uint8Array>;
export type ClientStreamHandler = (
  requests: AsyncIterable<Uint8Array>,
  ctx: RpcContext,
) => Promise<Uint8Array>;
export type BidiStreamHandler = (
  requests: AsyncIterable<Uint8Array>,
  ctx: RpcContext,
) => AsyncIterable<Uint8Array>;

export type MethodHandler =
  | { kind: 'unary'; handler: UnaryHandler }
  | { kind: 'serverStream'; handler: ServerStreamHandler }
  | { kind: 'clientStream'; handler: ClientStreamHandler }
  | { kind: 'bidiStream'; handler: BidiStreamHandler };

/** A set of methods under one fully-qualified service name, e.g. `mcp.v1.McpService`. */
export interface ServiceDefinition {
  readonly name: string;
  readonly methods: Readonly<Record<string, MethodHandler>>;
}

export interface RpcServer {
  /** Adds a service (replacing one of the same name). */
  register(service: ServiceDefinition): void;
  /** Stops accepting calls, lets in-flight calls finish for up to `graceMs`, then cancels them. */
  close(graceMs?: number): Promise<void>;
}
