// One call on the server (docs/slimrpc.md#frame-sequences, #deadlines): runs the registered handler
// for its pattern and answers with data frames and the EOS, or exactly one error frame. Deadlines:
// already past on arrival → 4 "Deadline exceeded"; overrun → 4 "Deadline exceeded during RPC
// execution". The handler's signal fires on the deadline, session close and server shutdown;
// whatever the handler throws (any value, sync or async) becomes an error frame, never silence.
// Responses are sent one at a time, each publish awaited before the handler's next message is
// pulled. No EOS follows the last response when the caller ends the call on it: a single-response
// call that says so (ENDS_ON_DATA_KEY), or a handler that knows it (RpcContext.omitEos).
import type { Logger } from '../../util/log.js';
import type { SlimName } from '../dataplane/name.js';
import type { FrameKind, Metadata, OutFrame } from './frames.js';
import {
  ENDS_ON_DATA,
  ENDS_ON_DATA_KEY,
  parseDeadline,
  responseDataFrame,
  responseEosFrame,
  responseErrorFrame,
} from './frames.js';
import { Inbox } from './inbox.js';
import type { InboxLimits } from './inbox.js';
import { RpcError, StatusCode, toRpcError } from './status.js';
import type { MethodHandler, RpcContext } from './types.js';

export const MSG_DEADLINE = 'Deadline exceeded';
export const MSG_DEADLINE_RUNNING = 'Deadline exceeded during RPC execution';
export const MSG_REQUESTS_BEHIND = 'request buffer full: the handler is not reading the stream';
export const MSG_NOT_BYTES = 'handler produced a response that is not bytes';

export interface ServerCallInit {
  rpcId: string;
  service: string;
  method: string;
  handler: MethodHandler;
  /** Session metadata merged with the first frame's metadata. */
  metadata: Metadata;
  source: SlimName;
  /** The caller's verified identity (RpcContext.identity). */
  identity: string;
  first: FrameKind;
  send: (frame: OutFrame) => Promise<void>;
  limits: InboxLimits;
  logger: Logger;
}

/** The reason a finished call's signal carries (shared: no per-call error allocation). */
const CALL_FINISHED = new RpcError(StatusCode.CANCELLED, 'call finished');

const byteSize = (b: Uint8Array) => b.byteLength;

export class ServerCall {
  private readonly abort = new AbortController();
  private readonly requests: Inbox<Uint8Array>;
  private terminated = false;
  /** A data frame has been sent. */
  private responded = false;
  /** The handler asked for no EOS after its last message (RpcContext.omitEos). */
  private eosOmitted = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly init: ServerCallInit) {
    this.requests = new Inbox<Uint8Array>(init.limits, byteSize);
    const first = init.first;
    if (first.kind === 'data') this.requests.offer(first.payload);
    else if (first.kind === 'end') this.requests.end();
    else this.requests.fail(new RpcError(first.status, first.message));
  }

  /** A further request-stream frame routed by the demux. */
  input(frame: FrameKind): void {
    if (frame.kind === 'data') {
      if (!this.requests.offer(frame.payload)) {
        this.cancel(new RpcError(StatusCode.RESOURCE_EXHAUSTED, MSG_REQUESTS_BEHIND), true);
      }
    } else if (frame.kind === 'end') this.requests.end();
    else this.requests.fail(new RpcError(frame.status, frame.message));
  }

  /** Stops the handler; with `answer`, the client gets `error` as the call's error frame. */
  cancel(error: RpcError, answer: boolean): void {
    if (this.abort.signal.aborted) return;
    if (!answer) this.terminated = true; // nobody to answer (session gone)
    this.requests.fail(error);
    this.abort.abort(error);
  }

  /** Runs the call to its end; never rejects. */
  async run(): Promise<void> {
    const { init } = this;
    const now = Date.now();
    const deadline = parseDeadline(init.metadata, now);
    if (now > deadline) return this.finish(new RpcError(StatusCode.DEADLINE_EXCEEDED, MSG_DEADLINE));
    // setTimeout cannot wait longer than ~24.8 days; later deadlines never fire (fine: 10 h default).
    const wait = deadline - now;
    if (wait < 2 ** 31 - 1) {
      this.timer = setTimeout(
        () => this.cancel(new RpcError(StatusCode.DEADLINE_EXCEEDED, MSG_DEADLINE_RUNNING), true),
        wait,
      );
    }
    const ctx: RpcContext = Object.freeze({
      service: init.service,
      method: init.method,
      metadata: Object.freeze({ ...init.metadata }),
      source: init.source,
      identity: init.identity,
      deadline,
      signal: this.abort.signal,
      omitEos: () => {
        this.eosOmitted = true;
      },
    });
    let failure: RpcError | undefined;
    try {
      await this.execute(ctx);
    } catch (err) {
      failure = this.abort.signal.aborted ? toRpcError(this.abort.signal.reason) : toRpcError(err);
    }
    if (!failure && this.abort.signal.aborted) failure = toRpcError(this.abort.signal.reason);
    await this.finish(failure);
  }

  private async finish(failure: RpcError | undefined): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.abort.signal.aborted) this.abort.abort(CALL_FINISHED);
    this.requests.fail(CALL_FINISHED);
    if (this.terminated) return;
    this.terminated = true;
    if (!failure && this.responded && (this.eosOmitted || this.endsOnData())) return;
    const frame = failure
      ? responseErrorFrame(this.init.rpcId, failure.status, failure.message)
      : responseEosFrame(this.init.rpcId);
    if (failure) this.init.logger.debug({ rpcId: this.init.rpcId, status: failure.status }, 'call failed');
    await this.init.send(frame).catch((err: unknown) => {
      this.init.logger.debug(
        { rpcId: this.init.rpcId, err: String(err) },
        'could not send the terminal frame',
      );
    });
  }

  /** A single-response call whose caller ends it on the response (ENDS_ON_DATA_KEY). */
  private endsOnData(): boolean {
    const kind = this.init.handler.kind;
    return (
      (kind === 'unary' || kind === 'clientStream') && this.init.metadata[ENDS_ON_DATA_KEY] === ENDS_ON_DATA
    );
  }

  /** The first request message (unary-input patterns); an empty request stream reads as empty bytes. */
  private async single(): Promise<Uint8Array> {
    const r = await this.requests.next();
    return r.done ? new Uint8Array(0) : r.value;
  }

  private async execute(ctx: RpcContext): Promise<void> {
    const h = this.init.handler;
    switch (h.kind) {
      case 'unary': {
        const request = await this.single();
        return this.respond(await this.guard(() => h.handler(request, ctx)));
      }
      case 'clientStream':
        return this.respond(await this.guard(() => h.handler(this.requests, ctx)));
      case 'serverStream': {
        const request = await this.single();
        return this.respondAll(() => h.handler(request, ctx));
      }
      case 'bidiStream':
        return this.respondAll(() => h.handler(this.requests, ctx));
    }
  }

  /** Runs `fn` (sync throws included) and races it against the call's abort signal. */
  private guard<T>(fn: () => Promise<T>): Promise<T> {
    const signal = this.abort.signal;
    if (signal.aborted) return Promise.reject(toRpcError(signal.reason));
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(toRpcError(signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
      const settle = () => signal.removeEventListener('abort', onAbort);
      let p: Promise<T>;
      try {
        p = Promise.resolve(fn());
      } catch (err) {
        p = Promise.reject(err instanceof Error ? err : toRpcError(err));
      }
      p.then(
        (v) => (settle(), resolve(v)),
        (e: unknown) => (settle(), reject(e instanceof Error ? e : toRpcError(e))),
      );
    });
  }

  private async respond(payload: unknown): Promise<void> {
    if (!(payload instanceof Uint8Array)) throw new RpcError(StatusCode.INTERNAL, MSG_NOT_BYTES);
    await this.sendData(payload);
  }

  private async respondAll(open: () => AsyncIterable<Uint8Array>): Promise<void> {
    let it: AsyncIterator<Uint8Array> | undefined;
    try {
      it = await this.guard(() => Promise.resolve(open()[Symbol.asyncIterator]()));
      for (;;) {
        const iterator = it;
        const next = await this.guard(() => iterator.next());
        if (next.done) {
          it = undefined;
          return;
        }
        await this.respond(next.value);
      }
    } finally {
      // Stopped early (error, deadline, shutdown): let the handler's generator run its finally.
      if (it?.return) void Promise.resolve(it.return()).catch(() => undefined);
    }
  }

  private async sendData(payload: Uint8Array): Promise<void> {
    if (this.abort.signal.aborted) throw toRpcError(this.abort.signal.reason);
    await this.init.send(responseDataFrame(payload, this.init.rpcId));
    this.responded = true;
  }
}
