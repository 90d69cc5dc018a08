// The protobuf wire writer of the hand-written Publish encoder (publish-encode.ts): sizes of
// varints and length-delimited fields (so a frame is written into one buffer of the exact size),
// the value checks toBinary would make, and a Writer over that buffer. Invariant: a value the fast
// path must not write throws the one Unsupported sentinel, which the encoder catches at the top so
// toBinary decides instead; nothing else escapes.

/** Thrown inside the encoder when a value needs the reference codec; never escapes. */
export class Unsupported extends Error {}
export const UNSUPPORTED = new Unsupported();

const U32_MAX = 0xffff_ffff;

export function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x20_0000 ? 3 : v < 0x1000_0000 ? 4 : v < 2 ** 35 ? 5 : 6;
}

export function u64Size(v: bigint): number {
  if (v < 0n || v > 0xffff_ffff_ffff_ffffn) throw UNSUPPORTED;
  if (v <= 0xffff_ffffn) return varintSize(Number(v));
  // Four bytes for the low 28 bits, then what remains (at most 36 bits) as a varint.
  const rest = Number(v >> 28n);
  return 4 + (rest < 2 ** 35 ? varintSize(rest) : 6);
}

export function checkU32(v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > U32_MAX) throw UNSUPPORTED;
  return v;
}

/** An open enum value toBinary writes as a short varint (negative ones take 10 bytes: not here). */
export function checkEnum(v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 0x7fff_ffff) throw UNSUPPORTED;
  return v;
}

export function noUnknown(m: { $unknown?: unknown[] }): void {
  if (m.$unknown !== undefined && m.$unknown.length > 0) throw UNSUPPORTED;
}

export const strLen = (s: string): number => Buffer.byteLength(s, 'utf8');
export const lenField = (n: number): number => 1 + varintSize(n) + n;

export class Writer {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  byte(b: number): void {
    this.buf[this.pos++] = b;
  }
  varint(v: number): void {
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }
  u64(v: bigint): void {
    if (v <= 0xffff_ffffn) return this.varint(Number(v));
    let lo = Number(v & 0xffff_ffffn);
    let hi = Number(v >> 32n);
    // The high word is non-zero: the low 28 bits take four bytes, each with the continuation bit.
    for (let i = 0; i < 4; i++) {
      this.buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    const mid = lo | ((hi & 0x7) << 4); // bits 28..31 of the low word, 0..2 of the high one
    hi >>>= 3;
    if (hi === 0) {
      this.buf[this.pos++] = mid;
      return;
    }
    this.buf[this.pos++] = mid | 0x80;
    this.varint(hi);
  }
  tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }
  varintField(field: number, v: number): void {
    this.tag(field, 0);
    this.varint(v);
  }
  u64Field(field: number, v: bigint): void {
    this.tag(field, 0);
    this.u64(v);
  }
  str(field: number, s: string, len: number): void {
    this.tag(field, 2);
    this.varint(len);
    this.pos += this.buf.write(s, this.pos, len, 'utf8');
  }
  bytes(field: number, b: Uint8Array): void {
    this.tag(field, 2);
    this.varint(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}
