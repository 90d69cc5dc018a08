// The protobuf wire reader of the hand-written Publish decoder (publish-decode.ts): canonical
// varints of 32 and 64 bits, booleans, length-delimited fields as views of the input, strings
// (ASCII fast, other UTF-8 validated), and the once-per-field and wire-type checks. Invariant:
// anything the fast path does not handle throws the one Unsupported sentinel, which the decoder
// catches at the top so fromBinary decides instead; nothing else escapes.
import { isUtf8 } from 'node:buffer';

/** Any deviation from the shapes handled here; caught at the top, never escapes. */
export class Unsupported extends Error {}
export const UNSUPPORTED = new Unsupported();

/** Node's Buffer slicing primitives (what toString calls after checking its arguments). */
export interface FastSlices {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

export class Reader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    readonly view: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  /** A tag as [field, wire type]. */
  tag(): number {
    return this.u32();
  }

  /** A canonical varint of at most 32 bits. */
  u32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= this.end) throw UNSUPPORTED;
      const b = this.bytes[this.pos++]!;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (result > 0xffff_ffff || (b === 0 && shift > 0)) throw UNSUPPORTED;
        return result;
      }
    }
    throw UNSUPPORTED;
  }

  /** A canonical varint of at most 64 bits, as a bigint. */
  u64(): bigint {
    const b = this.bytes;
    const end = this.end;
    let p = this.pos;
    let lo = 0;
    let hi = 0;
    let byte = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (p >= end) throw UNSUPPORTED;
      byte = b[p++]!;
      lo |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        if (byte === 0 && shift > 0) throw UNSUPPORTED;
        this.pos = p;
        return BigInt(lo);
      }
    }
    if (p >= end) throw UNSUPPORTED;
    byte = b[p++]!;
    lo |= (byte & 0x0f) << 28;
    hi = (byte & 0x70) >> 4;
    if (byte >= 0x80) {
      for (let shift = 3; ; shift += 7) {
        if (p >= end || shift > 31) throw UNSUPPORTED;
        byte = b[p++]!;
        if (shift === 31 && byte > 1) throw UNSUPPORTED; // beyond 64 bits
        hi |= (byte & 0x7f) << shift;
        if (byte < 0x80) break;
      }
      if (byte === 0) throw UNSUPPORTED;
    } else if (byte === 0) throw UNSUPPORTED;
    this.pos = p;
    hi >>>= 0;
    lo >>>= 0;
    return hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
  }

  bool(): boolean {
    if (this.pos >= this.end) throw UNSUPPORTED;
    const b = this.bytes[this.pos++]!;
    if (b > 1) throw UNSUPPORTED;
    return b === 1;
  }

  /** The [start, end) of a length-delimited field. */
  len(): number {
    const n = this.u32();
    if (this.pos + n > this.end) throw UNSUPPORTED;
    this.pos += n;
    return n;
  }

  bytesField(): Uint8Array {
    const n = this.len();
    return this.bytes.subarray(this.pos - n, this.pos);
  }

  str(): string {
    const n = this.len();
    const start = this.pos - n;
    let ascii = true;
    for (let i = start; i < this.pos; i++) {
      if (this.bytes[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (!ascii && !isUtf8(this.bytes.subarray(start, this.pos))) throw UNSUPPORTED;
    const v = this.view as unknown as FastSlices;
    return ascii ? v.latin1Slice(start, this.pos) : v.utf8Slice(start, this.pos);
  }

  /** A reader over the next length-delimited field. */
  sub(): Reader {
    const n = this.len();
    return new Reader(this.bytes, this.view, this.pos - n, this.pos);
  }
}

/** Field numbers seen in one message: a repeat (merge semantics) is left to fromBinary. */
export function once(seen: number, field: number): number {
  const bit = 1 << field;
  if (seen & bit) throw UNSUPPORTED;
  return seen | bit;
}

export function expect(tag: number, wireType: number): number {
  if ((tag & 7) !== wireType) throw UNSUPPORTED;
  return tag >>> 3;
}

export function viewOf(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
