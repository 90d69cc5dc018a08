// Server-Sent Events both ways. SseWriter relays JSON-RPC responses to a local client as they
// come: every event is written (and so flushed: Node writes each chunk to the socket) at once,
// comment keepalives hold idle streams open through proxies, `X-Accel-Buffering: no` stops
// nginx from buffering, and a full socket makes the writer wait (backpressure, nothing dropped).
// SseParser is a pure incremental parser for the agent's SSE stream (egress), bounded per event.
import type { ServerResponse } from 'node:http';
import { GatewayError } from '../../util/errors.js';

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

export class SseWriter {
  private timer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly keepaliveMs: number,
  ) {}

  start(): void {
    this.res.writeHead(200, SSE_HEADERS);
    this.res.flushHeaders();
    if (this.keepaliveMs > 0) {
      this.timer = setInterval(() => {
        if (!this.ended && !this.res.writableEnded) this.res.write(': keepalive\n\n');
      }, this.keepaliveMs);
      this.timer.unref();
    }
  }

  /**
   * Writes one event; resolves once the socket has room again, or `signal` fires (a client that
   * stops reading must not hold the relay past the call's deadline or the route's close).
   */
  async event(data: unknown, signal?: AbortSignal): Promise<void> {
    if (this.ended || this.res.writableEnded || this.res.destroyed) return;
    if (!this.res.write(`data: ${JSON.stringify(data)}\n\n`)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.res.off('drain', done);
          this.res.off('close', done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        this.res.once('drain', done);
        this.res.once('close', done);
        if (signal?.aborted) done();
        else signal?.addEventListener('abort', done, { once: true });
      });
    }
  }

  /** Ends the stream; `abandon` drops what a stalled client has not read yet. */
  end(abandon = false): void {
    if (this.ended) return;
    this.ended = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (abandon && this.res.writableNeedDrain) this.res.destroy();
    else if (!this.res.writableEnded) this.res.end();
  }
}

export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/** Default bound for one SSE event (the same order as the SLIMRPC frame limit). */
export const DEFAULT_MAX_SSE_EVENT_BYTES = 4 * 1024 * 1024;

/** Incremental `text/event-stream` parser: push text, get the events completed so far. */
export class SseParser {
  private buffer = '';
  private type = '';
  private data: string[] = [];
  private dataSize = 0;

  constructor(private readonly maxEventBytes = DEFAULT_MAX_SSE_EVENT_BYTES) {}

  push(text: string): SseEvent[] {
    this.buffer += text;
    const out: SseEvent[] = [];
    for (;;) {
      const nl = this.buffer.search(/\r\n|\r|\n/);
      if (nl < 0) break;
      const eolLength = this.buffer.startsWith('\r\n', nl) ? 2 : 1;
      // A lone '\r' at the end may be the first half of '\r\n': wait for more.
      if (this.buffer[nl] === '\r' && eolLength === 1 && nl === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + eolLength);
      const event = this.line(line);
      if (event) out.push(event);
    }
    if (this.buffer.length > this.maxEventBytes) throw this.tooBig();
    return out;
  }

  /** Flushes an event left without its terminating blank line. */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    if (this.buffer) {
      const event = this.line(this.buffer);
      this.buffer = '';
      if (event) out.push(event);
    }
    const last = this.dispatch();
    if (last) out.push(last);
    return out;
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') {
      this.dataSize += value.length + 1;
      if (this.dataSize > this.maxEventBytes) throw this.tooBig();
      this.data.push(value);
    } else if (field === 'event') {
      this.type = value;
    }
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    const event =
      this.data.length > 0 ? { event: this.type || 'message', data: this.data.join('\n') } : undefined;
    this.type = '';
    this.data = [];
    this.dataSize = 0;
    return event;
  }

  private tooBig(): GatewayError {
    return new GatewayError('RESOURCE_EXHAUSTED', `SSE event over the ${this.maxEventBytes}-byte limit`);
  }
}
