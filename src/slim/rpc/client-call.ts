// One client call as it runs: the thin I/O shell around its state machine (client-call-state.ts). It arms the
// deadline timer at once (so it covers session setup, docs/slimrpc.md#deadlines), listens to the caller's AbortSignal,
// obtains the channel's session, registers its `rpc-id` before the first frame leaves, sends the
// request frames (pulled one at a time from the caller's iterable, each awaited: backpressure) and,
// for a request stream, the client EOS (a single request goes alone), and feeds every received
// frame to the state machine. The `sink` gets the resulting actions, `finish` last: by then every
// timer and listener is gone, and nothing follows.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../util/log.js';
import type { SlimName } from '../dataplane/name.js';
import type { SessionMessage } from '../session/types.js';
import { initialCallState, step } from './client-call-state.js';
import type { ClientCallAction, ClientCallEvent, ClientCallState } from './client-call-state.js';
import type { CallListener, ClientSession } from './client-session.js';
import {
  classifyFrame,
  clientEosFrame,
  clientErrorFrame,
  continuationFrame,
  firstRequestMetadata,
} from './frames.js';
import type { Metadata, OutFrame } from './frames.js';
import { RpcError, StatusCode, toRpcError } from './status.js';
import type { CallOptions } from './types.js';

/** What a call needs from its channel (point-to-point or multicast). */
export interface CallTarget {
  /** Waits for one of the channel's call slots (call-slots.ts); resolves with its release. */
  admit(signal: AbortSignal): Promise<() => void>;
  /** The live session, created or re-created if needed; may be abandoned through `signal`. */
  acquire(signal: AbortSignal): Promise<ClientSession>;
  /** Member keys of a new call (point-to-point: [PEER]). */
  memberKeys(): string[];
  /** Members that cannot answer on `session` (never joined, left): reported at once. */
  unavailable(session: ClientSession): { member: string; message: string }[];
  /** The member key a frame's source belongs to. */
  resolve(source: SlimName): string | undefined;
  /** Sends one request frame; `signal` ends a wait for room in the session's send window. */
  publish(session: ClientSession, frame: OutFrame, signal: AbortSignal): Promise<void>;
}

export type CallRequest = { single: Uint8Array } | { stream: AsyncIterable<Uint8Array> };

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Why a finished call's internal waits stop (one shared value: no per-call error allocation). */
const CALL_OVER = new RpcError(StatusCode.CANCELLED, 'call over');

export const MSG_LEGACY_EMPTY =
  'zero-byte request messages cannot be streamed to a pre-2.1 SLIMRPC server (it reads them as end of stream)';

export class ClientCall implements CallListener {
  readonly rpcId = randomUUID();
  private state: ClientCallState;
  private session: ClientSession | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly stop = new AbortController();
  private readonly onAbort = () => this.dispatch({ type: 'cancel' });
  private requestIterator: AsyncIterator<Uint8Array> | undefined;
  private release: (() => void) | undefined;

  constructor(
    private readonly target: CallTarget,
    private readonly service: string,
    private readonly method: string,
    private readonly request: CallRequest,
    private readonly options: CallOptions,
    private readonly timeoutMs: number,
    private readonly sink: (action: ClientCallAction) => void,
    private readonly logger: Logger,
    /** A single-response call: each member ends on its data frame, and the server is told it need not send its EOS. */
    private readonly endsOnData = false,
  ) {
    this.state = initialCallState(target.memberKeys(), endsOnData);
  }

  get finished(): boolean {
    return this.state.finished;
  }

  start(): void {
    const deadline = Date.now() + this.timeoutMs;
    const signal = this.options.signal;
    if (signal?.aborted) return this.dispatch({ type: 'cancel' });
    // setTimeout cannot wait longer than ~24.8 days (it would fire at once): such deadlines never fire.
    if (this.timeoutMs < MAX_TIMER_MS)
      this.timer = setTimeout(() => this.dispatch({ type: 'deadline' }), Math.max(0, this.timeoutMs));
    signal?.addEventListener('abort', this.onAbort, { once: true });
    void this.run(deadline);
  }

  /** Ends the call locally (the consumer stopped reading, the channel closed...). */
  cancel(status: StatusCode = StatusCode.CANCELLED, message?: string): void {
    if (status === StatusCode.CANCELLED) this.dispatch({ type: 'cancel', ...(message ? { message } : {}) });
    else this.dispatch({ type: 'fail', status, message: message ?? 'call failed' });
  }

  /** A member of a multicast call left or was removed. */
  memberFailed(member: string, status: StatusCode, message: string): void {
    this.dispatch({ type: 'memberFailed', member, status, message });
  }

  onFrame(message: SessionMessage): void {
    const frame = classifyFrame(message.metadata, message.payload);
    if (frame.kind === 'data' && frame.legacy && this.session) this.session.legacyPeer = true;
    this.dispatch({ type: 'frame', member: this.target.resolve(message.source), frame });
  }

  onSessionClosed(reason: string, status?: StatusCode): void {
    this.dispatch({ type: 'sessionClosed', message: reason, ...(status !== undefined ? { status } : {}) });
  }

  private dispatch(event: ClientCallEvent): void {
    if (this.state.finished) return;
    const { state, actions } = step(this.state, event);
    this.state = state;
    for (const action of actions) {
      if (action.type === 'finish') this.cleanup();
      this.sink(action);
    }
  }

  private cleanup(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.session?.unregister(this.rpcId);
    this.release?.();
    this.stop.abort(CALL_OVER);
    const it = this.requestIterator;
    this.requestIterator = undefined;
    if (it?.return) void Promise.resolve(it.return()).catch(() => undefined);
  }

  private async run(deadline: number): Promise<void> {
    let session: ClientSession;
    try {
      const release = await this.target.admit(this.stop.signal);
      if (this.state.finished) return release();
      this.release = release;
      session = await this.target.acquire(this.stop.signal);
    } catch (err) {
      const e = toRpcError(err);
      if (!this.state.finished) this.logger.debug({ err: e.message }, 'no session for the call');
      return this.dispatch({ type: 'fail', status: e.status, message: e.message });
    }
    if (this.state.finished) return;
    this.session = session;
    session.register(this.rpcId, this);
    if (!session.isAlive) return this.onSessionClosed('session closed');
    this.dispatch({ type: 'open' });
    for (const { member, message } of this.target.unavailable(session))
      this.dispatch({ type: 'memberFailed', member, status: StatusCode.UNAVAILABLE, message });
    if (this.state.finished) return;
    const opening = firstRequestMetadata({
      service: this.service,
      method: this.method,
      rpcId: this.rpcId,
      deadlineEpochMs: deadline,
      user: this.options.metadata,
      endsOnData: this.endsOnData,
    });
    try {
      if ('single' in this.request) {
        // No client EOS after a single request (unary and unary-stream calls): every server
        // generation reads a unary-input call from its first frame and drops the EOS unread
        // (docs/deviations.md, SLIMRPC); it would cost one sealed message per call.
        await this.send({ payload: this.request.single, metadata: opening });
      } else {
        await this.sendStream(session, this.request.stream, opening);
      }
    } catch (err) {
      if (this.state.finished) return;
      const e = toRpcError(err);
      this.dispatch({ type: 'fail', status: e.status, message: `failed to send the request: ${e.message}` });
    }
  }

  private async send(frame: OutFrame): Promise<void> {
    if (this.state.finished || !this.session) return;
    await this.target.publish(this.session, frame, this.stop.signal);
  }

  private async sendStream(session: ClientSession, stream: AsyncIterable<Uint8Array>, opening: Metadata) {
    const it = stream[Symbol.asyncIterator]();
    this.requestIterator = it;
    let first = true;
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await it.next();
      } catch (err) {
        if (this.state.finished) return;
        // The server already has part of the stream: tell it the stream failed, or its handler
        // would wait for the deadline. A fixed message: the caller's error text stays local.
        if (!first) {
          await this.send(
            clientErrorFrame(this.rpcId, StatusCode.CANCELLED, 'client request stream failed'),
          ).catch(() => undefined);
        }
        const e = toRpcError(err);
        return this.dispatch({ type: 'fail', status: e.status, message: e.message });
      }
      if (this.state.finished) return;
      if (next.done) break;
      const payload = next.value;
      if (payload.length === 0 && session.legacyPeer) {
        return this.dispatch({
          type: 'fail',
          status: StatusCode.INVALID_ARGUMENT,
          message: MSG_LEGACY_EMPTY,
        });
      }
      await this.send(first ? { payload, metadata: opening } : continuationFrame(payload, this.rpcId));
      first = false;
    }
    this.requestIterator = undefined;
    await this.send(clientEosFrame(this.rpcId, first ? opening : undefined));
  }
}
