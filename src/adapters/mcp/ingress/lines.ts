// Newline-delimited framing of the MCP stdio transport: one JSON-RPC message per line (a trailing
// '\r' is tolerated). A line longer than the limit is reported once and skipped up to its end, so
// one oversized message cannot stall or exhaust the reader. Lines are handed on as bytes: decoding
// (and refusing bytes that are not UTF-8) is the JSON-RPC parser's job, as on the HTTP front. Pure.

export type LineEvent = { kind: 'line'; bytes: Buffer } | { kind: 'too-long'; bytes: number };

const CR = 0x0d;

function isBlank(buf: Buffer): boolean {
  for (const b of buf) if (b !== 0x20 && b !== 0x09 && b !== CR) return false;
  return true;
}

export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private skipping = false;

  constructor(private readonly maxLineBytes: number) {}

  push(chunk: Buffer): LineEvent[] {
    const out: LineEvent[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl < 0 ? chunk.length : nl;
      const piece = chunk.subarray(start, end);
      if (!this.skipping) {
        this.size += piece.length;
        if (this.size > this.maxLineBytes) {
          out.push({ kind: 'too-long', bytes: this.size });
          this.parts = [];
          this.skipping = true;
        } else if (piece.length > 0) this.parts.push(piece);
      }
      if (nl < 0) break;
      if (!this.skipping) {
        let line = Buffer.concat(this.parts);
        if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, -1);
        if (!isBlank(line)) out.push({ kind: 'line', bytes: line });
      }
      this.parts = [];
      this.size = 0;
      this.skipping = false;
      start = nl + 1;
    }
    return out;
  }
}
