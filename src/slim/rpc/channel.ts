// The SLIMRPC channel (client) to one SLIM name (docs/slimrpc.md#sessions): one
// point-to-point session, created on the first call and shared by every call after it, re-created
// when it dies; calls told apart by `rpc-id`. Unary and client-streaming calls resolve on the first
// response data frame (as the reference does); streaming responses are async iterables, buffered
// per call within bounds (inbox.ts). Cancelling stops the caller waiting and discards late frames;
// nothing goes on the wire (the server learns by deadline or session close, as on the reference).
import { raceSignal } from '../../util/abort.js';
import { childLogger } from '../../util/log.js';
import type { Logger } from '../../util/log.js';
import type { SlimName } from '../dataplane/name.js';
import { formatName } from '../dataplane/name.js';
import type { SlimApp } from '../session/types.js';
import { PEER } from './client-call-state.js';
import type { ClientCallAction } from './client-call-state.js';
import { CallSlots } from './call-slots.js';
import { ClientCall } from './client-call.js';
import type { CallRequest, CallTarget } from './client-call.js';
import { ClientSession } from './client-session.js';
import type { OutFrame } from './frames.js';
import { Inbox } from './inbox.js';
import { LinkWatch } from './link-watch.js';
import { openRpcSession } from './open-session.js';
import { MSG_CHANNEL_CLOSED, MSG_NO_RESPONSE, MSG_READER_BEHIND, resolveChannelOptions } from './options.js';
import type { ChannelOptions, ResolvedChannelOptions } from './options.js';
import { RpcError, StatusCode } from './status.js';
import type { CallOptions, RpcClient } from './types.js';

export function createChannel(app: SlimApp, target: SlimName, options: ChannelOptions = {}): RpcClient {
  return new Channel(app, target, options);
}

const byteSize = (b: Uint8Array) => b.byteLength;

class Channel implements RpcClient, CallTarget {
  private readonly opts: ResolvedChannelOptions;
  private readonly logger: Logger;
  private current: ClientSession | undefined;
  private creating: Promise<ClientSession> | undefined;
  private readonly closing = new AbortController();
  private readonly calls = new Set<ClientCall>();
  private readonly slots: CallSlots;
  private readonly link: LinkWatch;

  constructor(
    private readonly app: SlimApp,
    readonly target: SlimName,
    options: ChannelOptions,
  ) {
    this.opts = resolveChannelOptions(options);
    this.slots = new CallSlots(this.opts.maxConcurrentCalls);
    this.logger = childLogger(options.logger, 'rpc.channel').child({ target: formatName(target) });
    this.link = new LinkWatch(app, (err) => this.linkDown(err));
  }

  /**
   * The link to the node dropped: like gRPC calls on a broken connection, the calls on the
   * session fail now with UNAVAILABLE (their frames may be lost, and after a node restart the
   * peer may have lost the session); the next call after the reconnect gets a new session.
   */
  private linkDown(err: RpcError): void {
    const current = this.current;
    this.current = undefined;
    if (current) this.logger.debug({ calls: current.callCount }, 'link down: session dropped');
    void current?.close(err.message, StatusCode.UNAVAILABLE);
  }

  // ---- CallTarget

  admit(signal: AbortSignal): Promise<() => void> {
    return this.slots.acquire(signal);
  }

  acquire(signal: AbortSignal): Promise<ClientSession> {
    if (this.closing.signal.aborted)
      return Promise.reject(new RpcError(StatusCode.UNAVAILABLE, MSG_CHANNEL_CLOSED));
    if (this.current?.isAlive) return Promise.resolve(this.current);
    this.creating ??= this.createSession().finally(() => (this.creating = undefined));
    return raceSignal(this.creating, signal);
  }

  private async createSession(): Promise<ClientSession> {
    this.logger.debug('creating session');
    const session = await openRpcSession(
      this.app,
      this.link,
      this.target,
      'p2p',
      this.opts,
      this.closing.signal,
    );
    if (this.closing.signal.aborted) {
      await session.close().catch(() => undefined);
      throw new RpcError(StatusCode.UNAVAILABLE, MSG_CHANNEL_CLOSED);
    }
    this.logger.debug({ sessionId: session.id }, 'session established');
    this.current = new ClientSession(session, this.logger);
    return this.current;
  }

  memberKeys(): string[] {
    return [PEER];
  }

  unavailable(): { member: string; message: string }[] {
    return [];
  }

  resolve(): string {
    return PEER;
  }

  publish(session: ClientSession, frame: OutFrame, signal: AbortSignal): Promise<void> {
    return session.session.publish(frame.payload, { metadata: frame.metadata, signal });
  }

  // ---- calls

  private check(): void {
    if (this.closing.signal.aborted) throw new RpcError(StatusCode.UNAVAILABLE, MSG_CHANNEL_CLOSED);
  }

  private timeout(options: CallOptions): number {
    return options.timeoutMs ?? this.opts.defaultTimeoutMs;
  }

  /** A call whose responses feed an inbox (streaming responses). */
  private streamCall(service: string, method: string, request: CallRequest, options: CallOptions = {}) {
    this.check();
    const inbox = new Inbox<Uint8Array>(this.opts.inbox, byteSize, () => call.cancel());
    const sink = (a: ClientCallAction) => {
      if (a.type === 'data') {
        if (!inbox.offer(a.payload)) call.cancel(StatusCode.RESOURCE_EXHAUSTED, MSG_READER_BEHIND);
      } else if (a.type === 'end') inbox.end();
      else if (a.type === 'error') inbox.fail(new RpcError(a.status, a.message));
      else this.calls.delete(call);
    };
    const call: ClientCall = new ClientCall(
      this,
      service,
      method,
      request,
      options,
      this.timeout(options),
      sink,
      this.logger,
    );
    this.run(call);
    return inbox;
  }

  /** A call that resolves on its first response data frame. */
  private singleCall(
    service: string,
    method: string,
    request: CallRequest,
    options: CallOptions = {},
  ): Promise<Uint8Array> {
    this.check();
    return new Promise<Uint8Array>((resolve, reject) => {
      let settled = false;
      const sink = (a: ClientCallAction) => {
        if (a.type === 'finish') return void this.calls.delete(call);
        if (settled) return;
        settled = true;
        // The call ends on its data frame (client-call-state.ts, endsOnData): an EOS that a server
        // sends anyway finds it finished and is discarded.
        if (a.type === 'data') resolve(a.payload);
        else if (a.type === 'end') reject(new RpcError(StatusCode.INTERNAL, MSG_NO_RESPONSE));
        else reject(new RpcError(a.status, a.message));
      };
      const call = new ClientCall(
        this,
        service,
        method,
        request,
        options,
        this.timeout(options),
        sink,
        this.logger,
        true,
      );
      this.run(call);
    });
  }

  private run(call: ClientCall): void {
    this.calls.add(call);
    call.start();
  }

  unary(service: string, method: string, request: Uint8Array, options?: CallOptions): Promise<Uint8Array> {
    try {
      return this.singleCall(service, method, { single: request }, options);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  serverStream(
    service: string,
    method: string,
    request: Uint8Array,
    options?: CallOptions,
  ): AsyncIterable<Uint8Array> {
    return this.streamCall(service, method, { single: request }, options);
  }

  clientStream(
    service: string,
    method: string,
    requests: AsyncIterable<Uint8Array>,
    options?: CallOptions,
  ): Promise<Uint8Array> {
    try {
      return this.singleCall(service, method, { stream: requests }, options);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  bidiStream(
    service: string,
    method: string,
    requests: AsyncIterable<Uint8Array>,
    options?: CallOptions,
  ): AsyncIterable<Uint8Array> {
    return this.streamCall(service, method, { stream: requests }, options);
  }

  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort();
    this.link.dispose();
    this.logger.debug('closing');
    for (const call of [...this.calls]) call.cancel(StatusCode.CANCELLED, MSG_CHANNEL_CLOSED);
    const current = this.current;
    this.current = undefined;
    await current?.close(MSG_CHANNEL_CLOSED, StatusCode.CANCELLED);
  }
}
