// Our framing against the well-kept libraries that do the same, in one run (CPU per message,
// nothing asserted): SSE parsing (src/adapters/mcp/sse.ts, now a bounded pull interface over
// eventsource-parser, against eventsource-parser alone: what the wrapper adds), for many small
// events and for one 3 MB event in 64 KiB chunks; and stdio line framing plus JSON parse
// (src/adapters/mcp/ingress/lines.ts against the MCP SDK's ReadBuffer, which also validates each
// message with its schema but throws away everything buffered when one line is too long).
import { createParser } from 'eventsource-parser';
import { ReadBuffer } from '@modelcontextprotocol/sdk/shared/stdio.js';
import { SseParser } from '../src/adapters/mcp/sse.js';
import { LineSplitter } from '../src/adapters/mcp/ingress/lines.js';
import type { Bench, Measurement } from './harness.js';

const MAX = 16 * 1024 * 1024;
const message = (i: number) =>
  JSON.stringify({ jsonrpc: '2.0', id: i, result: { content: [{ type: 'text', text: 'x'.repeat(900) }] } });

function cpuUs(fn: () => void): number {
  fn(); // warm-up
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

/** `text` cut into chunks of `size` characters. */
function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

export const benches: Bench[] = [
  {
    name: 'framing: SSE and stdio',
    run(): Promise<Measurement[]> {
      const small = 5_000;
      const smallStream = chunks(
        Array.from({ length: small }, (_, i) => `event: message\ndata: ${message(i)}\n\n`).join(''),
        16 * 1024,
      );
      const big = `event: message\ndata: ${JSON.stringify({ text: 'y'.repeat(3_000_000) })}\n\n`;
      const bigStream = chunks(big, 64 * 1024);
      const bigRuns = 20;

      let seen = 0;
      const oursSse = (stream: string[]) => () => {
        const p = new SseParser(MAX);
        for (const c of stream) seen += p.push(c).length;
      };
      const librarySse = (stream: string[]) => () => {
        const p = createParser({ onEvent: () => seen++, maxBufferSize: MAX });
        for (const c of stream) p.feed(c);
      };
      const repeat = (n: number, fn: () => void) => () => {
        for (let i = 0; i < n; i++) fn();
      };

      const lines = Buffer.from(Array.from({ length: small }, (_, i) => `${message(i)}\n`).join(''));
      const lineChunks: Buffer[] = [];
      for (let i = 0; i < lines.length; i += 16 * 1024) lineChunks.push(lines.subarray(i, i + 16 * 1024));
      const oursLines = () => {
        const s = new LineSplitter(MAX);
        for (const c of lineChunks)
          for (const ev of s.push(c))
            if (ev.kind === 'line') seen += JSON.parse(ev.bytes.toString('utf8')) ? 1 : 0;
      };
      const sdkLines = () => {
        const b = new ReadBuffer();
        for (const c of lineChunks) {
          b.append(c);
          while (b.readMessage() !== null) seen++;
        }
      };

      const out: Measurement[] = [
        {
          name: 'SSE, 1 KiB events in 16 KiB chunks, per event',
          unit: 'µs CPU',
          ours: cpuUs(repeat(20, oursSse(smallStream))) / (20 * small),
          peer: cpuUs(repeat(20, librarySse(smallStream))) / (20 * small),
          peerLabel: 'eventsource-parser',
          better: 'lower',
        },
        {
          name: 'SSE, one 3 MB event in 64 KiB chunks, per event',
          unit: 'µs CPU',
          ours: cpuUs(repeat(bigRuns, oursSse(bigStream))) / bigRuns,
          peer: cpuUs(repeat(bigRuns, librarySse(bigStream))) / bigRuns,
          peerLabel: 'eventsource-parser',
          better: 'lower',
        },
        {
          name: 'stdio, 1 KiB lines in 16 KiB chunks, framing + parse, per message',
          unit: 'µs CPU',
          ours: cpuUs(repeat(20, oursLines)) / (20 * small),
          peer: cpuUs(repeat(20, sdkLines)) / (20 * small),
          peerLabel: 'SDK ReadBuffer',
          better: 'lower',
          notes: 'the SDK also validates each message with its zod schema',
        },
      ];
      if (seen < 0) console.log(seen);
      return Promise.resolve(out);
    },
  },
];
