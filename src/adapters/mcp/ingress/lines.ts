// Newline-delimited framing of the MCP stdio transport: one JSON-RPC message per line (a trailing
// '\r' is tolerated). A line longer than the limit is reported once and skipped up to its end, so
// one oversized message cannot stall or exhaust the reader. Pure.

export type LineEvent = { kind: 'line'; text: string } | { kind: 'too-long'; bytes: number };

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
        let text = Buffer.concat(this.parts).toString('utf8');
        if (text.endsWith('\r')) text = text.slice(0, -1);
        if (text.trim() !== '') out.push({ kind: 'line', text });
      }
      this.parts = [];
      this.size = 0;
      this.skipping = false;
      start = nl + 1;
    }
    return out;
  }
}
