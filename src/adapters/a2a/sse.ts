// Server-Sent Events both ways. SseWriter relays JSON-RPC responses to a local client as they
// come: every event is written (and so flushed: Node writes each chunk to the socket) at once,
// comment keepalives hold idle streams open through proxies, `X-Accel-Buffering: no` stops
// nginx from buffering, and a full socket makes the writer wait (backpressure, nothing dropped).
// SseParser reads the agent's SSE stream (egress) incrementally, bounded per event.
import type { ServerResponse } from 'node:http';
import { createParser } from 'eventsource-parser';
import type { EventSourceParser } from 'eventsource-parser';
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

/**
 * Incremental `text/event-stream` parser: push text, get the events completed so far. Parsing is
 * eventsource-parser's (a fraction of the CPU of a hand-written one, bench/framing.bench.ts); this
 * adds the bound per event and the flush of a last event left without its blank line.
 */
export class SseParser {
  private readonly parser: EventSourceParser;
  private events: SseEvent[] = [];
  private overflow = false;

  constructor(private readonly maxEventBytes = DEFAULT_MAX_SSE_EVENT_BYTES) {
    this.parser = createParser({
      onEvent: (e) => this.events.push({ event: e.event ?? 'message', data: e.data }),
      onError: (err) => {
        if (err.type === 'max-buffer-size-exceeded') this.overflow = true;
      },
      maxBufferSize: maxEventBytes,
    });
  }

  push(text: string): SseEvent[] {
    if (this.overflow) throw this.tooBig();
    this.parser.feed(text);
    if (this.overflow) throw this.tooBig();
    const out = this.events;
    this.events = [];
    return out;
  }

  /** Flushes an event left without its terminating blank line. */
  end(): SseEvent[] {
    const out = this.push('\n\n');
    this.parser.reset();
    return out;
  }

  private tooBig(): GatewayError {
    return new GatewayError('RESOURCE_EXHAUSTED', `SSE event over the ${this.maxEventBytes}-byte limit`);
  }
}
