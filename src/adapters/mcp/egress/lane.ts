// One egress lane (docs/mcp-over-slimrpc.md §4–5): an MCP session, or a caller's stateless traffic,
// bound to one backend connection. It turns `Request` calls into backend exchanges whose related
// messages and final response stream back, `Notify` calls into notifications/responses (a
// `notifications/cancelled` also ends the matching `Request` with CANCELLED), and keeps unsolicited
// server traffic in a bounded backlog that `Listen` drains. A backend that fails to start or dies
// answers every request in flight with a JSON-RPC error (data), then the lane closes. A request's
// entry and how it ends: inflight.ts.
import type { Logger } from '../../../util/log.js';
import { describeError, isGatewayError } from '../../../util/errors.js';
import { RpcError } from '../../../slim/rpc/index.js';
import { cancelledRequestId, errorResponse, idKey, isErrorResponse, JsonRpcCode } from '../jsonrpc.js';
import type { Classified, JsonRpcId, JsonRpcRequest, JsonRpcResponse } from '../jsonrpc.js';
import { checkSize, encodeMessage, LISTEN_END_MARGIN_MS } from '../wire.js';
import { backendErrorResponse, mcpFailure, toMcpFailure } from '../errors.js';
import type { BackendConnection, BackendEvents } from './backend.js';
import { ListenBacklog } from './backlog.js';
import { abandonedNotice, finishInflight, newInflight } from './inflight.js';
import type { Inflight } from './inflight.js';
import { routeServerMessage } from './router.js';
import type { Related, Target } from './router.js';

export interface LaneOptions {
  readonly connect: (events: BackendEvents) => BackendConnection;
  readonly logger: Logger;
  /** Messages a Request stream may hold unread before the request fails (a stuck reader). */
  readonly maxQueued: number;
  /** Unsolicited messages kept while no Listen is open. */
  readonly maxBacklog: number;
  /** Called once when the lane closes (to leave the session table). */
  readonly onClosed: () => void;
  /** Called for each server message dropped for lack of room. */
  readonly onDropped?: () => void;
}

const encoder = new TextEncoder();
const INTERNAL = String(JsonRpcCode.INTERNAL_ERROR);

export class Lane {
  /** The protocol revision negotiated by `initialize` on this lane, if any. */
  protocolVersion: string | undefined;
  private backend: BackendConnection | undefined;
  private starting: Promise<void> | undefined;
  private readonly inflight = new Map<string, Inflight>();
  private readonly serverRequests = new Map<string, Target>();
  private readonly backlog: ListenBacklog;
  private closedReason: string | undefined;

  constructor(private readonly opts: LaneOptions) {
    this.backlog = new ListenBacklog(opts.maxBacklog);
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  /** The server process's id while it runs (stdio backends), for memory reports. */
  get pid(): number | undefined {
    return this.closed ? undefined : this.backend?.pid?.();
  }

  /** The Request stream: related messages, then the response (or a status when cancelled). */
  async *request(
    message: JsonRpcRequest,
    metaVersion: string | undefined,
    signal: AbortSignal,
    report: (outcome: string) => void = () => {},
    headers?: Readonly<Record<string, string>>,
  ) {
    if (this.closed) throw mcpFailure('SessionNotFound', `the MCP session ended (${this.closedReason})`);
    const key = idKey(message.id);
    if (this.inflight.has(key)) {
      throw mcpFailure('InvalidMessage', `request id ${JSON.stringify(message.id)} is already in flight`);
    }
    const entry = newInflight(message, key, report);
    this.inflight.set(key, entry);
    const onAbort = () => this.abandon(entry, mcpFailure('Cancelled', 'the call ended before the response'));
    signal.addEventListener('abort', onAbort, { once: true });
    void this.forward(entry, message, metaVersion, headers);
    try {
      for await (const bytes of entry.queue) yield bytes;
    } finally {
      signal.removeEventListener('abort', onAbort);
      // Checked here: an error (and its stack) per finished call is a measurable cost.
      if (!entry.done) this.abandon(entry, mcpFailure('Cancelled', 'the caller stopped reading'));
    }
  }

  /** Notify: a notification or a response to a server-initiated request. */
  async deliver(
    c: Classified & { kind: 'notification' | 'response' },
    metaVersion: string | undefined,
    headers?: Readonly<Record<string, string>>,
  ) {
    if (this.closed) throw mcpFailure('SessionNotFound', `the MCP session ended (${this.closedReason})`);
    await this.ensureStarted().catch((err: unknown) => {
      throw mcpFailure('ServiceClosed', `the MCP server is not running: ${describeError(err)}`);
    });
    const ctx = {
      protocolVersion: metaVersion ?? this.protocolVersion,
      signal: AbortSignal.timeout(30_000),
      ...(headers ? { headers } : {}),
    };
    const backend = this.backend!;
    try {
      if (c.kind === 'response') {
        if (c.message.id !== null) this.serverRequests.delete(idKey(c.message.id));
        await backend.send(c.message, ctx);
        return;
      }
      if (c.message.method === 'notifications/cancelled') {
        const id = cancelledRequestId(c.message);
        const entry = id === undefined ? undefined : this.inflight.get(idKey(id));
        if (entry && !entry.done) {
          this.settle(entry, mcpFailure('Cancelled', 'the client cancelled the request'));
          entry.abort.abort();
        }
        await backend.cancel(c.message, ctx);
        return;
      }
      await backend.send(c.message, ctx);
    } catch (err) {
      throw isGatewayError(err, 'NOT_FOUND') ? mcpFailure('SessionNotFound', err.message) : toMcpFailure(err);
    }
  }

  /** Listen: drains the backlog, then waits for more until the deadline draws near or the lane ends. */
  async *listen(deadline: number, signal: AbortSignal) {
    if (this.closed) throw mcpFailure('SessionNotFound', `the MCP session ended (${this.closedReason})`);
    await this.ensureStarted().catch((err: unknown) => {
      throw mcpFailure('ServiceClosed', `the MCP server is not running: ${describeError(err)}`);
    });
    this.backend?.openUnsolicited();
    // End with OK before the deadline, so the caller re-issues rather than sees DEADLINE_EXCEEDED.
    const remaining = deadline - Date.now();
    const endIn = remaining > 2 * LISTEN_END_MARGIN_MS ? remaining - LISTEN_END_MARGIN_MS : remaining / 2;
    yield* this.backlog.listen(endIn, signal);
  }

  /** Closes the lane: requests in flight end with `failure`, or (backend gone) with a JSON-RPC error. */
  async close(reason: string, failure?: RpcError): Promise<void> {
    if (this.closed) return;
    this.closedReason = reason;
    for (const entry of [...this.inflight.values()]) {
      if (failure) this.settle(entry, failure);
      else this.settle(entry, encodeMessage(backendErrorResponse(entry.id, 'exited')), INTERNAL);
    }
    this.backlog.close();
    this.opts.onClosed();
    await this.backend?.close().catch(() => {});
  }

  private ensureStarted(): Promise<void> {
    if (!this.starting) {
      this.backend = this.opts.connect({
        message: (c, related, raw) => this.onMessage(c, related, raw),
        closed: (why) => void this.close(why),
      });
      this.starting = this.backend.start();
    }
    return this.starting;
  }

  private async forward(
    entry: Inflight,
    message: JsonRpcRequest,
    metaVersion: string | undefined,
    headers: Readonly<Record<string, string>> | undefined,
  ) {
    try {
      await this.ensureStarted();
    } catch (err) {
      const answer = backendErrorResponse(entry.id, 'start-failed', describeError(err));
      this.settle(entry, encodeMessage(answer), INTERNAL);
      void this.close('the MCP server failed to start');
      return;
    }
    try {
      const version = metaVersion ?? this.protocolVersion;
      await this.backend!.request(message, {
        protocolVersion: version,
        signal: entry.abort.signal,
        ...(headers ? { headers } : {}),
      });
    } catch (err) {
      if (entry.done) return;
      // A status the backend chose (the server's OAuth challenge) goes back as it is.
      if (err instanceof RpcError) this.settle(entry, err);
      else if (isGatewayError(err, 'NOT_FOUND'))
        this.settle(entry, mcpFailure('SessionNotFound', err.message));
      else if (isGatewayError(err, 'RESOURCE_EXHAUSTED'))
        this.settle(entry, mcpFailure('MessageTooLarge', err.message));
      else {
        const answer = backendErrorResponse(entry.id, 'unreachable', describeError(err));
        this.settle(entry, encodeMessage(answer), INTERNAL);
      }
    }
  }

  private onMessage(c: Classified, related: Related, raw: Uint8Array | undefined): void {
    const target = routeServerMessage(c, related, {
      inflight: [...this.inflight.values()],
      serverRequests: this.serverRequests,
      listening: this.backlog.listening,
    });
    if (c.kind === 'request' && this.serverRequests.size < 4096)
      this.serverRequests.set(idKey(c.message.id), target);
    let bytes: Uint8Array;
    try {
      bytes = raw ?? encoder.encode(JSON.stringify(c.message));
      checkSize(bytes.byteLength);
    } catch (err) {
      this.oversized(c, target, err);
      return;
    }
    if (target.kind === 'drop') {
      this.opts.logger.debug({ reason: target.reason }, 'MCP server message dropped');
      return;
    }
    const entry = target.kind === 'request' ? this.inflight.get(target.key) : undefined;
    if (!entry || entry.done) {
      if (c.kind !== 'response') this.toBacklog(c, bytes);
      return;
    }
    if (c.kind === 'response') {
      if (entry.method === 'initialize' && 'result' in c.message) {
        const v = (c.message.result as { protocolVersion?: unknown } | null)?.protocolVersion;
        if (typeof v === 'string') this.protocolVersion = v;
      }
      this.settle(entry, bytes, isErrorResponse(c.message) ? String(c.message.error.code) : 'ok');
      return;
    }
    if (entry.queue.size >= this.opts.maxQueued) {
      this.opts.onDropped?.();
      this.abandon(entry, mcpFailure('Overloaded', `more than ${this.opts.maxQueued} messages unread`));
      return;
    }
    void entry.queue.push(bytes);
  }

  private oversized(c: Classified, target: Target, err: unknown): void {
    const text = describeError(err);
    if (c.kind === 'response' && target.kind === 'request') {
      const entry = this.inflight.get(target.key);
      if (entry && !entry.done) this.settle(entry, mcpFailure('MessageTooLarge', text));
      return;
    }
    this.opts.logger.warn({ kind: c.kind }, `MCP server message dropped: ${text}`);
    this.opts.onDropped?.();
    if (c.kind === 'request') void this.refuse(c.message.id, text);
  }

  private toBacklog(c: Classified, bytes: Uint8Array): void {
    if (!this.backlog.offer(bytes)) {
      this.opts.logger.warn({ kind: c.kind }, 'the Listen backlog is full: server message dropped');
      this.opts.onDropped?.();
      if (c.kind === 'request') void this.refuse(c.message.id, 'no client is listening');
    }
  }

  /** Answers a server-initiated request the client will never see. */
  private async refuse(id: JsonRpcId, text: string): Promise<void> {
    const answer: JsonRpcResponse = errorResponse(id, JsonRpcCode.INTERNAL_ERROR, `slim-gateway: ${text}`);
    const ctx = { protocolVersion: this.protocolVersion, signal: AbortSignal.timeout(30_000) };
    await this.backend?.send(answer, ctx).catch(() => {});
  }

  /** Ends a request with its last frame (bytes, and how it answered) or a status (RpcError). */
  private settle(entry: Inflight, last: Uint8Array | RpcError, outcome = 'ok'): void {
    if (entry.done) return;
    if (this.inflight.get(entry.key) === entry) this.inflight.delete(entry.key);
    finishInflight(entry, last, outcome);
  }

  /** The caller is gone or the deadline passed: tell the server, stop the exchange. */
  private abandon(entry: Inflight, failure: RpcError): void {
    if (entry.done) return;
    this.settle(entry, failure);
    entry.abort.abort();
    const ctx = { protocolVersion: this.protocolVersion, signal: AbortSignal.timeout(30_000) };
    void this.backend?.cancel(abandonedNotice(entry.id), ctx).catch(() => {});
  }
}
