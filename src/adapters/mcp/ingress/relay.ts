// The client side of MCP over SLIMRPC (docs/mcp-over-slimrpc.md §3): one JSON-RPC message per call,
// the session and protocol version as metadata, a `Listen` re-issued for as long as the local
// client wants unsolicited traffic. The HTTP and stdio fronts build on this; failures surface as
// RpcErrors (or GatewayErrors for local limits) for the fronts to map through errors.ts.
import { RpcError, StatusCode } from '../../../slim/rpc/index.js';
import type { RpcClient } from '../../../slim/rpc/index.js';
import type { TraceContext } from '../../../telemetry/types.js';
import { withTraceContext } from '../../../telemetry/calls.js';
import type { Logger } from '../../../util/log.js';
import { sleep } from '../../../util/abort.js';
import { describeError } from '../../../util/errors.js';
import { parseMessage } from '../jsonrpc.js';
import type { Classified, JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from '../jsonrpc.js';
import {
  DEFAULT_LISTEN_TIMEOUT_MS,
  DEFAULT_NOTIFY_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  EMPTY_OBJECT,
  encodeCall,
  MCP_SERVICE,
  McpRpcMethod,
  META_PROTOCOL_VERSION,
  META_RESPONSE_ENDS_CALL,
  META_SESSION_ID,
} from '../wire.js';

/** Which server-side lane a call belongs to. */
export interface LaneRef {
  /** The SLIM-side MCP session id (never the local HTTP one); undefined for stateless traffic. */
  readonly sessionId: string | undefined;
  readonly protocolVersion: string | undefined;
}

/** What a call carries besides its message. */
export interface CallExtras {
  /** The W3C trace context to pass on (SLIMRPC metadata). */
  readonly trace?: TraceContext;
  /** The local client's Authorization header (inside the encrypted payload, never in metadata). */
  readonly authorization?: string;
}

/** A message from the server with its exact text (relayed as is unless rewritten). */
export interface Frame {
  readonly message: Classified;
  readonly text: string;
}

export interface RelayTimeouts {
  readonly requestTimeoutMs: number;
  readonly notifyTimeoutMs: number;
  readonly listenTimeoutMs: number;
}

export const DEFAULT_RELAY_TIMEOUTS: RelayTimeouts = {
  requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
  notifyTimeoutMs: DEFAULT_NOTIFY_TIMEOUT_MS,
  listenTimeoutMs: DEFAULT_LISTEN_TIMEOUT_MS,
};

/**
 * What the HTTP and stdio fronts need from a relay: IngressRelay for one service, or the group
 * relay (../group/relay.ts) that presents several services as one.
 */
export interface McpRelay {
  request(
    message: JsonRpcRequest,
    lane: LaneRef,
    signal: AbortSignal,
    extras?: CallExtras,
  ): AsyncIterable<Frame>;
  notify(
    message: JsonRpcNotification | JsonRpcResponse,
    lane: LaneRef,
    signal?: AbortSignal,
    extras?: CallExtras,
  ): Promise<void>;
  close(lane: LaneRef): Promise<void>;
  listenLoop(
    lane: () => LaneRef,
    signal: AbortSignal,
    onFrame: (frame: Frame) => Promise<void>,
  ): Promise<'gone' | 'stopped'>;
}

const LISTEN_BACKOFF_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000];
const decoder = new TextDecoder();

export class IngressRelay implements McpRelay {
  constructor(
    private readonly client: RpcClient,
    private readonly logger: Logger,
    private readonly timeouts: RelayTimeouts = DEFAULT_RELAY_TIMEOUTS,
  ) {}

  private metadata(lane: LaneRef, trace?: TraceContext): Record<string, string> {
    const md: Record<string, string> = {};
    if (lane.sessionId !== undefined) md[META_SESSION_ID] = lane.sessionId;
    if (lane.protocolVersion !== undefined) md[META_PROTOCOL_VERSION] = lane.protocolVersion;
    return trace ? withTraceContext(md, trace) : md;
  }

  /**
   * One request: yields the server's related messages and finally its response, which ends the
   * call: the server is told so (META_RESPONSE_ENDS_CALL) and may leave out its EOS; an EOS it
   * sends anyway arrives after the call and is discarded. The call is over before the response is
   * yielded, so a consumer that stops reading there leaves nothing behind.
   */
  async *request(
    message: JsonRpcRequest,
    lane: LaneRef,
    signal: AbortSignal,
    extras?: CallExtras,
  ): AsyncIterable<Frame> {
    const payload = encodeCall(message, extras?.authorization);
    const metadata = this.metadata(lane, extras?.trace);
    metadata[META_RESPONSE_ENDS_CALL] = '1';
    const stream = this.client.serverStream(MCP_SERVICE, McpRpcMethod.Request, payload, {
      timeoutMs: this.timeouts.requestTimeoutMs,
      signal,
      metadata,
    });
    const it = stream[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await it.next();
        if (next.done) return;
        const frame = toFrame(next.value);
        if (!frame) {
          this.logger.warn('the MCP service sent a frame that is not one JSON-RPC message; dropped');
          continue;
        }
        if (frame.message.kind === 'response') {
          await it.return?.();
          yield frame;
          return;
        }
        yield frame;
      }
    } finally {
      await it.return?.();
    }
  }

  /** A notification, or a response to a server-initiated request. */
  async notify(
    message: JsonRpcNotification | JsonRpcResponse,
    lane: LaneRef,
    signal?: AbortSignal,
    extras?: CallExtras,
  ) {
    await this.client.unary(MCP_SERVICE, McpRpcMethod.Notify, encodeCall(message, extras?.authorization), {
      timeoutMs: this.timeouts.notifyTimeoutMs,
      ...(signal ? { signal } : {}),
      metadata: this.metadata(lane, extras?.trace),
    });
  }

  /** Ends the server-side session (best effort: the server also reaps idle sessions). */
  async close(lane: LaneRef): Promise<void> {
    if (lane.sessionId === undefined) return;
    await this.client
      .unary(MCP_SERVICE, McpRpcMethod.Close, EMPTY_OBJECT, {
        timeoutMs: this.timeouts.notifyTimeoutMs,
        metadata: this.metadata(lane),
      })
      .catch((err: unknown) => this.logger.debug({ err: describeError(err) }, 'MCP session Close failed'));
  }

  /**
   * Keeps a Listen open until `signal` fires, re-issuing it whenever it ends; each unsolicited
   * message goes to `onFrame` (awaited: a slow local client slows the stream, nothing is dropped).
   * Resolves 'gone' when the server no longer knows the session, 'stopped' otherwise.
   */
  async listenLoop(
    lane: () => LaneRef,
    signal: AbortSignal,
    onFrame: (frame: Frame) => Promise<void>,
  ): Promise<'gone' | 'stopped'> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        const stream = this.client.serverStream(MCP_SERVICE, McpRpcMethod.Listen, EMPTY_OBJECT, {
          timeoutMs: this.timeouts.listenTimeoutMs,
          signal,
          metadata: this.metadata(lane()),
        });
        for await (const bytes of stream) {
          const frame = toFrame(bytes);
          if (frame) await onFrame(frame);
          failures = 0;
        }
        failures = 0;
      } catch (err) {
        if (signal.aborted) return 'stopped';
        const status = err instanceof RpcError ? err.status : undefined;
        if (status === StatusCode.NOT_FOUND) return 'gone';
        if (status === StatusCode.UNIMPLEMENTED) return 'stopped';
        const wait = LISTEN_BACKOFF_MS[Math.min(failures++, LISTEN_BACKOFF_MS.length - 1)]!;
        this.logger.debug({ err: describeError(err), retryInMs: wait }, 'Listen failed; re-issuing');
        await sleep(wait, signal).catch(() => {});
      }
    }
    return 'stopped';
  }
}

function toFrame(bytes: Uint8Array): Frame | undefined {
  const text = decoder.decode(bytes);
  const parsed = parseMessage(text);
  return parsed.ok ? { message: parsed.value, text } : undefined;
}
