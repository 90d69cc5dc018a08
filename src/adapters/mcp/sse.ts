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
  private data: string[] = [];
  private dataSize = 0;
  private event = '';
  private id: string | undefined;

  constructor(private readonly maxEventBytes: number) {}

  /** Feeds decoded text; returns the events completed by it. */
  push(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const out: SseEvent[] = [];
    for (;;) {
      const nl = this.buffer.search(/\r\n|\r|\n/);
      if (nl < 0) break;
      // A lone '\r' at the very end may be the first half of '\r\n': wait for more.
      if (this.buffer[nl] === '\r' && nl === this.buffer.length - 1) break;
      const width = this.buffer.startsWith('\r\n', nl) ? 2 : 1;
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + width);
      const ev = this.line(line);
      if (ev) out.push(ev);
    }
    if (this.buffer.length > this.maxEventBytes) this.tooLarge();
    return out;
  }

  /** Ends the stream: a final event without its blank line is dropped, as the standard says. */
  end(): void {
    this.buffer = '';
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
