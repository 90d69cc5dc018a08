// Minimal TLS-presentation-language buffers for MLS (RFC 9420 §2.1.2 variable-length vectors):
// a writer into a pre-sized array and a strict reader. Used by the native application-message
// path (app-message.ts). Invariant: the reader accepts only minimal, in-bounds encodings and throws
// RangeError on anything else, so callers can fall back to ts-mls's own decoder untouched.

// ---- MLS variable-length vectors (RFC 9420 §2.1.2) ----

export function vlen(n: number): number {
  if (n < 64) return 1;
  if (n < 16384) return 2;
  if (n < 0x4000_0000) return 4;
  throw new RangeError('vector too long');
}

export class Out {
  pos = 0;
  constructor(readonly b: Uint8Array) {}
  u8(v: number): void {
    this.b[this.pos++] = v;
  }
  u16(v: number): void {
    this.b[this.pos++] = v >>> 8;
    this.b[this.pos++] = v & 0xff;
  }
  u32(v: number): void {
    this.b[this.pos++] = v >>> 24;
    this.b[this.pos++] = (v >>> 16) & 0xff;
    this.b[this.pos++] = (v >>> 8) & 0xff;
    this.b[this.pos++] = v & 0xff;
  }
  u64(v: bigint): void {
    this.u32(Number(v >> 32n));
    this.u32(Number(v & 0xffff_ffffn));
  }
  len(n: number): void {
    if (n < 64) this.u8(n);
    else if (n < 16384) this.u16(0x4000 | n);
    else this.u32((0x8000_0000 | n) >>> 0);
  }
  vec(data: Uint8Array): void {
    this.len(data.length);
    this.raw(data);
  }
  raw(data: Uint8Array): void {
    this.b.set(data, this.pos);
    this.pos += data.length;
  }
}

/** A strict reader: anything but minimal, in-bounds encodings throws (the caller falls back). */
export class In {
  pos = 0;
  constructor(readonly b: Uint8Array) {}
  need(n: number): void {
    if (this.pos + n > this.b.length) throw new RangeError('truncated');
  }
  u8(): number {
    this.need(1);
    return this.b[this.pos++]!;
  }
  u16(): number {
    return (this.u8() << 8) | this.u8();
  }
  u32(): number {
    return ((this.u16() << 16) | this.u16()) >>> 0;
  }
  u64(): bigint {
    const hi = BigInt(this.u32());
    return (hi << 32n) | BigInt(this.u32());
  }
  vec(): Uint8Array {
    const first = this.u8();
    let n: number;
    switch (first >> 6) {
      case 0:
        n = first;
        break;
      case 1:
        n = ((first & 0x3f) << 8) | this.u8();
        if (n < 64) throw new RangeError('non-minimal length');
        break;
      case 2:
        n = (first & 0x3f) * 2 ** 24 + this.u8() * 2 ** 16 + this.u16();
        if (n < 16384) throw new RangeError('non-minimal length');
        break;
      default:
        throw new RangeError('8-byte length');
    }
    this.need(n);
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
