// The SLIMRPC server (docs/slimrpc.md#sessions): takes every incoming session of a SLIM
// app that passes its policy (MLS required by default: the reference server accepts whatever the
// caller proposes), demultiplexes each session's frames into calls by `rpc-id` (server-demux.ts)
// and runs each call (server-call.ts). Replies go to the calling member only (`publishTo`), errors
// included. close(graceMs) refuses new calls, lets in-flight ones finish for up to graceMs, then
// cancels the rest with 1 "Server shutting down" and closes the sessions. Each call carries the
// caller's verified identity (the session layer binds it to the frame's source); `authorize`
// refuses callers per call with 7 PERMISSION_DENIED naming the reason, logged with the identity.
// No session is refused for who opened it: the reference's session set-up has no refusal on the
// wire, so a refused caller would only time out; refused per call, it learns why at once.
//
// A session without per-message acknowledgements (our channels' point-to-point sessions,
// docs/deviations.md, SLIMRPC) has nothing that resends a lost frame, so the server ends such a
// session as soon as a frame may have been lost: on a gap in the caller's message numbers
// (sequence-watch.ts), and when its own link to the node comes back after a drop (frames in
// flight either way may be gone; the goodbye leaves once the link is up). The caller's calls on
// it then fail with UNAVAILABLE at once, and its next call opens a new session.
import { childLogger } from '../../util/log.js';
import type { Logger } from '../../util/log.js';
import { formatName } from '../dataplane/name.js';
import type { SlimName } from '../dataplane/name.js';
import type { IncomingSessionRequest, Session, SessionMessage, SlimApp } from '../session/types.js';
import { responseErrorFrame } from './frames.js';
import type { OutFrame } from './frames.js';
import { DEFAULT_INBOX_LIMITS } from './inbox.js';
import type { InboxLimits } from './inbox.js';
import { SequenceWatch } from './sequence-watch.js';
import { ServerCall } from './server-call.js';
import { MSG_SHUTTING_DOWN, ServerDemux } from './server-demux.js';
import type { DemuxDecision, HandlerInput } from './server-demux.js';
import { RpcError, StatusCode } from './status.js';
import type { RpcServer, ServiceDefinition } from './types.js';

export interface RpcServerOptions {
  services?: ServiceDefinition[];
  /** Which incoming sessions to serve (default: MLS-encrypted ones only); others are closed. */
  acceptSession?: (session: IncomingSessionRequest) => boolean;
  /**
   * Who may call: the reason `caller` is refused, or undefined when it may call (default: every
   * caller the session layer verified). Refusals end the call with PERMISSION_DENIED and `reason`.
   */
  authorize?: (caller: CallerInfo) => string | undefined;
  /** Calls running at once across all sessions (default 10,000); more get RESOURCE_EXHAUSTED. */
  maxConcurrentCalls?: number;
  /** Per-call buffer of request-stream messages the handler has not read yet. */
  maxBufferedMessages?: number;
  maxBufferedBytes?: number;
  logger?: Logger;
}

/** A call's caller, as `authorize` sees it. */
export interface CallerInfo {
  /** The verified identity (RpcContext.identity). */
  readonly identity: string;
  readonly source: SlimName;
  readonly service: string;
  readonly method: string;
}

export interface SlimRpcServer extends RpcServer {
  /** Resolves once, after close() has finished; never rejects. */
  closed(): Promise<void>;
}

/** Bound on each last step of close() (sessions closed: their goodbyes are bounded to 1 s). */
const FINAL_WAIT_MS = 2_000;
/**
 * Bound on the cancelled calls' error frames: best effort, like every goodbye. With the link up
 * they leave at once; with the link down (reconnecting) or the peer gone, close does not wait.
 */
const ERROR_FRAMES_WAIT_MS = 1_000;

async function bounded(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

export const requireMls = (s: IncomingSessionRequest): boolean => s.mls;

export function createRpcServer(app: SlimApp, options: RpcServerOptions = {}): SlimRpcServer {
  const server = new Server(app, options);
  server.start();
  return server;
}

interface ServedSession {
  readonly session: Session;
  readonly demux: ServerDemux;
  readonly calls: Map<string, ServerCall>;
}

class Server implements SlimRpcServer {
  private readonly services = new Map<string, ServiceDefinition>();
  private readonly sessions = new Set<ServedSession>();
  /** Demux loops (one per session) and call runs, tracked apart: calls end, loops end with their session. */
  private readonly loops = new Set<Promise<void>>();
  private readonly runs = new Set<Promise<void>>();
  private readonly logger: Logger;
  private readonly limits: InboxLimits;
  private readonly maxCalls: number;
  private readonly accept: (s: IncomingSessionRequest) => boolean;
  private readonly authorize: ((caller: CallerInfo) => string | undefined) | undefined;
  private activeCalls = 0;
  private closing: Promise<void> | undefined;
  private resolveClosed!: () => void;
  private readonly closedPromise = new Promise<void>((r) => (this.resolveClosed = r));
  private incoming: AsyncIterator<Session> | undefined;
  /** Unacknowledged sessions served while the link was down: ended once it is back. */
  private readonly exposed = new Set<ServedSession>();
  private linkUp: boolean;
  private readonly stopLinkWatch: (() => void) | undefined;

  constructor(
    private readonly app: SlimApp,
    options: RpcServerOptions,
  ) {
    for (const s of options.services ?? []) this.register(s);
    this.logger = childLogger(options.logger, 'rpc.server').child({ name: formatName(app.name) });
    this.limits = {
      maxMessages: options.maxBufferedMessages ?? DEFAULT_INBOX_LIMITS.maxMessages,
      maxBytes: options.maxBufferedBytes ?? DEFAULT_INBOX_LIMITS.maxBytes,
    };
    this.maxCalls = options.maxConcurrentCalls ?? 10_000;
    this.accept = options.acceptSession ?? requireMls;
    this.authorize = options.authorize;
    this.linkUp = app.linkState === undefined || app.linkState === 'ready';
    this.stopLinkWatch = app.onLinkState?.((state) => this.onLinkState(state));
  }

  private onLinkState(state: string): void {
    if (state !== 'ready') {
      if (this.linkUp) {
        for (const s of this.sessions) if (!s.session.reliable) this.exposed.add(s);
      }
      this.linkUp = false;
      return;
    }
    this.linkUp = true;
    const exposed = [...this.exposed];
    this.exposed.clear();
    for (const s of exposed) {
      if (!this.sessions.has(s)) continue;
      this.logger.info({ sessionId: s.session.id }, 'link was down: unacknowledged session ended');
      void s.session.close().catch(() => undefined);
    }
  }

  register(service: ServiceDefinition): void {
    this.services.set(service.name, service);
  }

  private lookup(service: string, method: string): HandlerInput | undefined {
    const h = this.services.get(service)?.methods[method];
    if (!h) return undefined;
    return h.kind === 'clientStream' || h.kind === 'bidiStream' ? 'stream' : 'unary';
  }

  start(): void {
    this.logger.info({ services: [...this.services.keys()] }, 'SLIMRPC server started');
    void this.acceptLoop();
  }

  private async acceptLoop(): Promise<void> {
    const it = this.app.incoming()[Symbol.asyncIterator]();
    this.incoming = it;
    try {
      for (;;) {
        const next = await it.next();
        if (next.done) break;
        const session = next.value;
        const info: IncomingSessionRequest = {
          source: session.destination,
          identity: session.peerIdentity ?? '',
          kind: session.kind,
          mls: session.mls,
          metadata: session.metadata,
        };
        let ok = false;
        try {
          ok = !this.closing && this.accept(info);
        } catch (err) {
          this.logger.warn({ err: String(err) }, 'session policy threw; session refused');
        }
        if (!ok) {
          this.logger.info(
            { sessionId: session.id, kind: session.kind, mls: session.mls, closing: !!this.closing },
            'incoming session refused',
          );
          void session.close().catch(() => undefined);
          continue;
        }
        this.serve(session);
      }
    } catch (err) {
      if (!this.closing) this.logger.warn({ err: String(err) }, 'incoming sessions ended with an error');
    }
  }

  private serve(session: Session): void {
    const served: ServedSession = {
      session,
      demux: new ServerDemux(
        (s, m) => this.lookup(s, m),
        () => this.activeCalls < this.maxCalls,
      ),
      calls: new Map(),
    };
    if (this.closing) served.demux.drain();
    this.sessions.add(served);
    this.logger.debug(
      { sessionId: session.id, kind: session.kind, peer: formatName(session.destination) },
      'serving session',
    );
    const loop = this.demuxLoop(served).finally(() => this.loops.delete(loop));
    this.loops.add(loop);
  }

  private async demuxLoop(served: ServedSession): Promise<void> {
    const { session, demux } = served;
    const watch = SequenceWatch.needed(session) ? new SequenceWatch() : undefined;
    try {
      for await (const msg of session.messages()) {
        if (watch && !watch.accept(msg.messageId)) {
          this.logger.warn({ sessionId: session.id }, 'frames from the caller were lost: session ended');
          void session.close().catch(() => undefined);
          break;
        }
        const d = demux.handle(msg.metadata, msg.payload);
        switch (d.type) {
          case 'drop':
            this.logger.trace({ sessionId: session.id, reason: d.reason }, 'frame dropped');
            break;
          case 'route':
            served.calls.get(d.rpcId)?.input(d.frame);
            break;
          case 'reject':
            this.refuse(served, msg.source, d);
            break;
          case 'start': {
            const reason = this.refusal(msg, d);
            if (reason === undefined) this.startCall(served, msg, d);
            else {
              demux.release(d.rpcId);
              const message = `caller ${msg.identity} is not allowed: ${reason}`;
              this.refuse(served, msg.source, {
                ...d,
                type: 'reject',
                status: StatusCode.PERMISSION_DENIED,
                message,
              });
            }
            break;
          }
        }
      }
    } catch (err) {
      this.logger.debug({ sessionId: session.id, err: String(err) }, 'session failed');
    }
    // The session is gone: nobody can hear an answer; stop every handler still running on it.
    this.sessions.delete(served);
    this.exposed.delete(served);
    const gone = new RpcError(StatusCode.CANCELLED, 'Session closed');
    for (const call of served.calls.values()) call.cancel(gone, false);
  }

  /** Why the caller of a starting call is refused (logged with its identity), or undefined. */
  private refusal(msg: SessionMessage, d: Extract<DemuxDecision, { type: 'start' }>): string | undefined {
    if (!this.authorize) return undefined;
    const caller = { identity: msg.identity, source: msg.source, service: d.service, method: d.method };
    let reason: string | undefined;
    try {
      reason = this.authorize(caller);
    } catch (err) {
      reason = 'the authorization check failed';
      this.logger.warn({ err: String(err) }, 'authorization check threw; call refused');
    }
    if (reason !== undefined) {
      this.logger.info(
        {
          caller: msg.identity,
          source: formatName(msg.source),
          service: d.service,
          method: d.method,
          reason,
        },
        'call refused: caller not allowed',
      );
    }
    return reason;
  }

  /** Sends the refusal; tracked like a call, so close() does not close the session before it is out. */
  private refuse(served: ServedSession, to: SlimName, d: Extract<DemuxDecision, { type: 'reject' }>): void {
    this.logger.debug({ rpcId: d.rpcId, status: d.status }, 'call refused');
    const p: Promise<void> = this.send(served.session, to, responseErrorFrame(d.rpcId, d.status, d.message))
      .catch((err: unknown) =>
        this.logger.debug({ rpcId: d.rpcId, err: String(err) }, 'could not refuse the call'),
      )
      .finally(() => this.runs.delete(p));
    this.runs.add(p);
  }

  private startCall(
    served: ServedSession,
    msg: SessionMessage,
    d: Extract<DemuxDecision, { type: 'start' }>,
  ): void {
    const { session, demux } = served;
    const handler = this.services.get(d.service)?.methods[d.method];
    if (!handler) return; // unreachable: the demux looked it up
    const call = new ServerCall({
      rpcId: d.rpcId,
      service: d.service,
      method: d.method,
      handler,
      metadata: { ...session.metadata, ...msg.metadata },
      source: msg.source,
      identity: msg.identity,
      first: d.frame,
      send: (frame) => this.send(session, msg.source, frame),
      limits: this.limits,
      logger: this.logger,
    });
    served.calls.set(d.rpcId, call);
    this.activeCalls++;
    this.logger.debug({ rpcId: d.rpcId, service: d.service, method: d.method }, 'call');
    const p = call.run().finally(() => {
      this.activeCalls--;
      served.calls.delete(d.rpcId);
      demux.release(d.rpcId);
      this.runs.delete(p);
    });
    this.runs.add(p);
  }

  private send(session: Session, to: SlimName, frame: OutFrame): Promise<void> {
    return session.publishTo(to, frame.payload, { metadata: frame.metadata });
  }

  close(graceMs = 0): Promise<void> {
    this.closing ??= this.shutdown(graceMs);
    return this.closing;
  }

  private async shutdown(graceMs: number): Promise<void> {
    this.logger.info({ calls: this.activeCalls, graceMs }, 'SLIMRPC server closing');
    this.stopLinkWatch?.();
    void Promise.resolve(this.incoming?.return?.()).catch(() => undefined);
    for (const s of this.sessions) s.demux.drain();
    const calls = () => [...this.sessions].flatMap((s) => [...s.calls.values()]);
    if (this.activeCalls > 0 && graceMs > 0) await bounded(this.settledCalls(), graceMs);
    const shutting = new RpcError(StatusCode.CANCELLED, MSG_SHUTTING_DOWN);
    for (const call of calls()) call.cancel(shutting, true);
    // Cancelled calls only send their error frame now; bounded, should a publish never return.
    await bounded(this.settledCalls(), ERROR_FRAMES_WAIT_MS);
    await bounded(
      Promise.all([...this.sessions].map((s) => s.session.close().catch(() => undefined))),
      FINAL_WAIT_MS,
    );
    await bounded(Promise.allSettled([...this.loops]), FINAL_WAIT_MS);
    this.logger.info('SLIMRPC server closed');
    this.resolveClosed();
  }

  /** Resolves when no call is running any more. */
  private async settledCalls(): Promise<void> {
    while (this.runs.size > 0) await Promise.allSettled([...this.runs]);
  }

  closed(): Promise<void> {
    return this.closedPromise;
  }
}
