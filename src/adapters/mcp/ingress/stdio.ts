// The stdio front of the ingress (docs/mcp-over-slimrpc.md §6.5), for clients that launch
// `slim-gateway stdio` as their server command: newline-delimited JSON-RPC on input/output, one MCP
// session per `initialize`, a Listen open for the life of the session, stateless traffic (modern
// revisions) with ids kept unique. Bad lines get -32700 / -32600 answers instead of silence (bytes
// that are not UTF-8 included, as on the HTTP front). Reading pauses while `maxPending` requests,
// notifications and error answers are in flight (backpressure: memory stays bounded). If the
// server forgets the session (its process died, it was reaped), the session is re-established
// transparently by replaying the client's initialize, and the request is retried once.
import { randomUUID } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../../../util/log.js';
import { describeError } from '../../../util/errors.js';
import { sleep } from '../../../util/abort.js';
import { clientFailureFor } from '../errors.js';
import { errorResponse, idKey, JsonRpcCode, metaProtocolVersion, parseClientMessage } from '../jsonrpc.js';
import type { JsonRpcNotification, JsonRpcRequest } from '../jsonrpc.js';
import { MAX_MCP_MESSAGE_BYTES } from '../wire.js';
import type { AdapterMetrics } from '../metrics.js';
import { IdRewriter } from './ids.js';
import { LineSplitter } from './lines.js';
import type { LineEvent } from './lines.js';
import type { CallExtras, McpRelay, LaneRef } from './relay.js';
import type { CallObserver, CallRecord } from '../../../telemetry/types.js';
import { metaTraceContext, toolOf } from '../call-info.js';

/**
 * How long answers still in flight may take once the input has ended; a request still unanswered
 * then gets an error answer, so `echo request | slim-gateway stdio` always prints one. Longer than
 * a failing session setup takes to say why (discovery with no reply), so that reason is what the
 * client reads.
 */
export const DRAIN_MS = 30_000;

export interface StdioFrontOptions {
  readonly relay: McpRelay;
  /** The route path (access log, spans). */
  readonly route: string;
  readonly target: string;
  readonly calls: CallObserver;
  readonly logger: Logger;
  readonly metrics: AdapterMetrics;
  /** Requests and notifications in flight before reading pauses (default DEFAULT_STDIO_MAX_PENDING). */
  readonly maxPending?: number;
}

/** Requests and notifications a stdio client may have in flight before we stop reading its input. */
export const DEFAULT_STDIO_MAX_PENDING = 64;

export async function serveStdioFront(
  o: StdioFrontOptions,
  input: Readable,
  output: Writable,
  signal?: AbortSignal,
): Promise<void> {
  const life = new AbortController();
  const onAbort = () => life.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) life.abort();
  const rewriter = new IdRewriter(randomUUID());
  const inflight = new Map<string, { cancelled: boolean; sentId: string | number; id: string | number }>();
  let session: string | undefined;
  let version: string | undefined;
  let initRequest: JsonRpcRequest | undefined;
  let initialized: JsonRpcNotification | undefined;
  let listen: AbortController | undefined;
  let recovering: Promise<void> | undefined;
  let writes = Promise.resolve();
  const pending = new Set<Promise<void>>();
  const maxPending = Math.max(1, o.maxPending ?? DEFAULT_STDIO_MAX_PENDING);

  const lane = (m?: JsonRpcRequest | JsonRpcNotification): LaneRef => ({
    sessionId: session,
    protocolVersion: (m && metaProtocolVersion(m)) ?? version,
  });

  const writeLine = (text: string) => {
    writes = writes.then(
      () =>
        new Promise<void>((resolve) => {
          if (life.signal.aborted || output.writableEnded) return resolve();
          output.write(text + '\n', (err) => {
            if (err) life.abort();
            resolve();
          });
        }),
    );
    return writes;
  };

  const startListen = () => {
    listen?.abort();
    const stop = new AbortController();
    listen = stop;
    life.signal.addEventListener('abort', () => stop.abort(), { once: true });
    void o.relay.listenLoop(
      () => lane(),
      stop.signal,
      (frame) => writeLine(frame.text),
    );
  };

  const recover = (): Promise<void> => {
    recovering ??= (async () => {
      if (!initRequest) throw new Error('no initialize to replay');
      listen?.abort();
      session = randomUUID();
      o.logger.info('MCP session lost at the server; re-initializing');
      const replay: JsonRpcRequest = { ...initRequest, id: `slim-gateway-reinit-${session}` };
      let ok = false;
      for await (const frame of o.relay.request(
        replay,
        { sessionId: session, protocolVersion: undefined },
        life.signal,
      )) {
        if (frame.message.kind === 'response') ok = 'result' in frame.message.message;
        else if (frame.message.kind === 'request') await writeLine(frame.text);
      }
      if (!ok) throw new Error('the server refused the replayed initialize');
      if (initialized) await o.relay.notify(initialized, lane());
      startListen();
    })().finally(() => (recovering = undefined));
    return recovering;
  };

  /** Relays one request; resolves with its outcome. A retry after recovery shares the call's record. */
  const request = async (m: JsonRpcRequest, retried = false, record?: CallRecord): Promise<string> => {
    const started = performance.now();
    const parent = metaTraceContext(m);
    const call =
      record ??
      o.calls.start({
        side: 'route',
        protocol: 'mcp',
        name: o.route,
        method: m.method,
        ...toolOf(m),
        ...(parent ? { parent } : {}),
      });
    const extras: CallExtras = { trace: call.propagate };
    const stateless = session === undefined;
    const rewritten = stateless ? rewriter.rewrite(m) : undefined;
    const sent = rewritten?.message ?? m;
    const flag = { cancelled: false, sentId: sent.id, id: m.id };
    const key = idKey(m.id);
    inflight.set(key, flag);
    let outcome = 'ok';
    try {
      for await (const frame of o.relay.request(sent, lane(m), life.signal, extras)) {
        const restored = rewritten?.restore(frame.message);
        const c = restored ?? frame.message;
        if (c.kind === 'response') {
          if (m.method === 'initialize' && 'result' in c.message) {
            const v = (c.message.result as { protocolVersion?: unknown }).protocolVersion;
            if (typeof v === 'string') version = v;
            startListen();
          }
          if ('error' in c.message) outcome = String((c.message as { error: { code: number } }).error.code);
        }
        await writeLine(restored ? JSON.stringify(c.message) : frame.text);
      }
    } catch (err) {
      if (flag.cancelled || life.signal.aborted) return (outcome = 'cancelled');
      const f = clientFailureFor(err, o.target);
      if (f.sessionGone && initRequest && !retried && m.method !== 'initialize') {
        try {
          await recover();
          if (inflight.get(key) === flag) inflight.delete(key);
          return (outcome = await request(m, true, call));
        } catch (e) {
          o.logger.warn({ err: describeError(e) }, 'could not re-establish the MCP session');
        }
      }
      outcome = String(f.code);
      await writeLine(JSON.stringify(errorResponse(m.id, f.code, f.message)));
    } finally {
      if (inflight.get(key) === flag) inflight.delete(key);
      if (!record) call.end(outcome);
      if (!retried) o.metrics.call(m.method, outcome, (performance.now() - started) / 1000);
    }
    return outcome;
  };

  /** Handles one line; returns the work it started (a request or a notification in flight). */
  const onLine = (bytes: Uint8Array): Promise<void> | undefined => {
    const parsed = parseClientMessage(bytes);
    if (!parsed.ok) return writeLine(JSON.stringify(errorResponse(parsed.id, parsed.code, parsed.message)));
    const c = parsed.value;
    if (c.kind === 'request') {
      if (c.message.method === 'initialize') {
        if (session !== undefined) void o.relay.close(lane());
        listen?.abort();
        session = randomUUID();
        version = undefined;
        initRequest = c.message;
        initialized = undefined;
      }
      return request(c.message).then(() => {});
    }
    let message = c.message;
    if (c.kind === 'notification') {
      if (c.message.method === 'notifications/initialized') initialized = c.message;
      if (c.message.method === 'notifications/cancelled') {
        const id = c.message.params?.['requestId'];
        const flag = typeof id === 'string' || typeof id === 'number' ? inflight.get(idKey(id)) : undefined;
        if (flag) {
          flag.cancelled = true;
          message = { ...c.message, params: { ...c.message.params, requestId: flag.sentId } };
        }
      }
    }
    return o.relay
      .notify(message, lane(c.kind === 'notification' ? c.message : undefined))
      .catch((err: unknown) => {
        o.logger.debug({ err: describeError(err) }, 'MCP notification not delivered');
      });
  };

  // Backpressure: lines wait in `queued` (at most one chunk's worth) while `maxPending` requests
  // and notifications are in flight, and input is paused until one finishes, so a client writing
  // faster than the service answers is slowed down instead of growing our memory.
  const splitter = new LineSplitter(MAX_MCP_MESSAGE_BYTES);
  const queued: LineEvent[] = [];
  let busy = 0;
  let pump = () => {};
  const track = (p: Promise<void>) => {
    busy++;
    pending.add(p);
    void p.finally(() => {
      pending.delete(p);
      busy--;
      pump();
    });
  };
  const onEvent = (ev: LineEvent) => {
    if (ev.kind === 'line') {
      const p = onLine(ev.bytes);
      if (p) track(p);
    } else {
      const text = `Invalid Request: message of ${ev.bytes}+ bytes over the ${MAX_MCP_MESSAGE_BYTES}-byte limit`;
      track(writeLine(JSON.stringify(errorResponse(null, JsonRpcCode.INVALID_REQUEST, text))));
    }
  };
  await new Promise<void>((resolve) => {
    let ended = false;
    const finish = () => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('close', onEnd);
      input.off('error', onEnd);
      life.signal.removeEventListener('abort', finish);
      resolve();
    };
    pump = () => {
      while (queued.length > 0 && busy < maxPending && !life.signal.aborted) onEvent(queued.shift()!);
      if (life.signal.aborted) return finish();
      if (queued.length > 0 || busy >= maxPending) {
        input.pause();
      } else if (ended) finish();
      else input.resume();
    };
    const onData = (chunk: Buffer | string) => {
      queued.push(...splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
      pump();
    };
    const onEnd = () => {
      ended = true;
      pump();
    };
    input.on('data', onData);
    input.once('end', onEnd);
    input.once('close', onEnd);
    input.once('error', onEnd);
    life.signal.addEventListener('abort', finish, { once: true });
    if (life.signal.aborted) finish();
  });
  // Input ended: answers on their way get a moment to arrive (`echo request | slim-gateway stdio`).
  listen?.abort();
  if (!life.signal.aborted && pending.size > 0) {
    await Promise.race([Promise.allSettled([...pending]), sleep(DRAIN_MS, life.signal).catch(() => {})]);
    for (const flag of life.signal.aborted ? [] : inflight.values()) {
      if (flag.cancelled) continue;
      flag.cancelled = true;
      const text = `no answer within ${DRAIN_MS / 1000} s of the end of input`;
      void writeLine(JSON.stringify(errorResponse(flag.id, JsonRpcCode.REQUEST_TIMEOUT, text)));
    }
  }
  const lastLane = lane();
  life.abort();
  signal?.removeEventListener('abort', onAbort);
  await writes;
  await o.relay.close(lastLane);
}
