// Server-Sent Events framing (WHATWG HTML §9.2) as MCP Streamable HTTP uses it: one JSON-RPC
// message per `message` event. The parser is incremental and pure (feed chunks of text, get whole
// events); it bounds the size of one event so a peer cannot grow memory without limit.
import { GatewayError } from '../../util/errors.js';

export interface SseEvent {
  /** The event type ('message' when the server gave none). */
  event: string;
  data: string;
  id: string | undefined;
}

export class SseParser {
  private buffer = '';
  /** Characters at the start of `buffer` already known to hold no line break. */
  private scanned = 0;
  private data: string[] = [];
  private dataSize = 0;
  private event = '';
  private id: string | undefined;

  constructor(private readonly maxEventBytes: number) {}

  /** Feeds decoded text; returns the events completed by it. */
  push(chunk: string): SseEvent[] {
    // Only the new text can hold a line break: scanning from where the last scan stopped keeps a
    // large event (a 3 MB result in 64 KiB chunks) linear rather than quadratic.
    let scan = this.scanned;
    this.buffer += chunk;
    const out: SseEvent[] = [];
    let start = 0;
    let nlPending: number | undefined;
    for (;;) {
      let nl = -1;
      for (let i = Math.max(scan, start); i < this.buffer.length; i++) {
        const ch = this.buffer.charCodeAt(i);
        if (ch === 10 || ch === 13) {
          nl = i;
          break;
        }
      }
      if (nl < 0) break;
      // A lone '\r' at the very end may be the first half of '\r\n': wait for more.
      if (this.buffer.charCodeAt(nl) === 13 && nl === this.buffer.length - 1) {
        nlPending = nl;
        break;
      }
      const width = this.buffer.charCodeAt(nl) === 13 && this.buffer.charCodeAt(nl + 1) === 10 ? 2 : 1;
      const ev = this.line(this.buffer.slice(start, nl));
      if (ev) out.push(ev);
      start = nl + width;
      scan = start;
    }
    this.buffer = this.buffer.slice(start);
    this.scanned = nlPending !== undefined ? nlPending - start : this.buffer.length;
    if (this.buffer.length > this.maxEventBytes) this.tooLarge();
    return out;
  }

  /** Ends the stream: a final event without its blank line is dropped, as the standard says. */
  end(): void {
    this.buffer = '';
    this.scanned = 0;
    this.reset();
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') {
      if (this.data.length === 0) {
        this.reset();
        return undefined;
      }
      const ev = { event: this.event || 'message', data: this.data.join('\n'), id: this.id };
      this.reset();
      return ev;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') {
      this.dataSize += value.length;
      if (this.dataSize > this.maxEventBytes) this.tooLarge();
      this.data.push(value);
    } else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    return undefined;
  }

  private reset(): void {
    this.data = [];
    this.dataSize = 0;
    this.event = '';
  }

  private tooLarge(): never {
    throw new GatewayError('RESOURCE_EXHAUSTED', `SSE event over the ${this.maxEventBytes}-byte limit`);
  }
}

/** One `message` event carrying a JSON text (split over `data:` lines if it has line breaks). */
export function sseMessage(json: string): string {
  return `event: message\ndata: ${json.split(/\r\n|\r|\n/).join('\ndata: ')}\n\n`;
}

/** An SSE comment, ignored by clients, that keeps idle connections and proxies from timing out. */
export const SSE_KEEPALIVE = ': keepalive\n\n';

/** Headers of every SSE response (X-Accel-Buffering stops nginx-style proxies buffering events). */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};
