// Hot path of the node (measured: re-encoding a whole frame per hop cost about half of the
// per-frame CPU; BENCHMARKS.md, "Data plane"). A forwarded Publish differs from the received one
// only in its SLIMHeader's TTL, incoming_conn, recv_from/forward_to and header_mac, so we keep
// every other byte as received and rewrite just those fields. The frame was fully decoded (and so
// validated) on the way in; this file only re-assembles bytes.
// Protobuf wire format: tag = (field << 3) | wire type; LEN fields carry a varint length.
import { transientBytes } from '../../util/transient-bytes.js';
import type { HeaderView } from './header-view.js';

/**
 * Where the header sits in a received frame, as offsets into `buf` (no copies, no views: this is
 * worked out for every forwarded frame, and each view or object is garbage to collect).
 */
export interface PublishLayout {
  readonly buf: Uint8Array;
  /** The publish field, tag included: buf[pubStart, pubEnd); its payload starts at pubDataStart. */
  readonly pubStart: number;
  readonly pubDataStart: number;
  readonly pubEnd: number;
  /** The header field, tag included: buf[hdrStart, hdrEnd). */
  readonly hdrStart: number;
  readonly hdrEnd: number;
  /** The header's payload in the frame. */
  readonly headerStart: number;
  readonly headerEnd: number;
  /**
   * The header fields that pass through as they are (all but 6 ttl, 7 recv_from, 8 forward_to,
   * 9 incoming_conn, 11 header_mac), in order: field number, start, end; three numbers each.
   */
  readonly keep: number[];
  /** Message-level fields besides the publish (metadata, unknown): present or not. */
  readonly hasOtherFields: boolean;
}

/** The rewritten fields, in number order: ttl, recv_from, forward_to, incoming_conn, MAC. */
const REWRITTEN_NUMS: readonly number[] = [6, 7, 8, 9, 11];

const isRewritten = (num: number): boolean => REWRITTEN_NUMS.includes(num);

/** Reads protobuf fields in buf[pos, end); field() leaves the last field's place in its own members. */
class Walker {
  pos: number;
  /** The last field read: its number, its whole span [start, fieldEnd) and its payload's start. */
  num = 0;
  start = 0;
  fieldEnd = 0;
  dataStart = 0;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    public end: number,
  ) {
    this.pos = start;
  }
  /** Walks buf[start, end) next (one walker serves the three nested levels). */
  reset(start: number, end: number): void {
    this.pos = start;
    this.end = end;
  }
  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw new RangeError('truncated varint');
      const b = this.buf[this.pos++]!;
      if (shift < 28) result |= (b & 0x7f) << shift;
      else result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 63) throw new RangeError('varint too long');
    }
  }
  /** Reads one field into num / start / fieldEnd / dataStart. */
  field(): void {
    this.start = this.pos;
    const tag = this.varint();
    this.num = Math.floor(tag / 8);
    const type = tag & 7;
    this.dataStart = this.pos;
    switch (type) {
      case 0:
        this.varint();
        break;
      case 1:
        this.pos += 8;
        break;
      case 2: {
        const len = this.varint();
        this.dataStart = this.pos;
        this.pos += len;
        break;
      }
      case 5:
        this.pos += 4;
        break;
      default:
        throw new RangeError(`unsupported wire type ${type}`);
    }
    if (this.pos > this.end) throw new RangeError('truncated field');
    this.fieldEnd = this.pos;
  }
}

/**
 * The layout of a Message whose only message-type field is one publish with one header;
 * undefined otherwise (such frames take the full decode/encode path). Throws RangeError on
 * truncated bytes.
 */
export function publishLayout(buf: Uint8Array): PublishLayout | undefined {
  let pubStart = -1;
  let pubDataStart = 0;
  let pubEnd = 0;
  let hasOtherFields = false;
  const w = new Walker(buf, 0, buf.length);
  while (w.pos < w.end) {
    w.field();
    if (w.num === 3) {
      if (pubStart >= 0) return undefined; // a second publish field would be merged by decoders: not our fast path
      pubStart = w.start;
      pubDataStart = w.dataStart;
      pubEnd = w.fieldEnd;
    } else if (w.num === 1 || w.num === 2 || w.num === 5 || w.num === 6) {
      return undefined; // another case of the oneof: decoders keep the last one
    } else hasOtherFields = true;
  }
  if (pubStart < 0) return undefined;
  let hdrStart = -1;
  let hdrEnd = 0;
  let headerStart = 0;
  w.reset(pubDataStart, pubEnd);
  while (w.pos < w.end) {
    w.field();
    if (w.num === 1) {
      if (hdrStart >= 0) return undefined;
      hdrStart = w.start;
      hdrEnd = w.fieldEnd;
      headerStart = w.dataStart;
    }
  }
  if (hdrStart < 0) return undefined;
  const keep: number[] = [];
  w.reset(headerStart, hdrEnd);
  while (w.pos < w.end) {
    w.field();
    if (!isRewritten(w.num)) keep.push(w.num, w.start, w.fieldEnd);
  }
  return {
    buf,
    pubStart,
    pubDataStart,
    pubEnd,
    hdrStart,
    hdrEnd,
    headerStart,
    headerEnd: hdrEnd,
    keep,
    hasOtherFields,
  };
}

function varintSize(v: number | bigint): number {
  let n = 1;
  if (typeof v === 'number') {
    for (let x = v; x >= 0x80; x = Math.floor(x / 128)) n++;
    return n;
  }
  for (let x = v; x >= 0x80n; x >>= 7n) n++;
  return n;
}

function putVarint(out: Uint8Array, pos: number, v: number | bigint): number {
  if (typeof v === 'number') {
    let x = v;
    while (x >= 0x80) {
      out[pos++] = (x % 128) | 0x80;
      x = Math.floor(x / 128);
    }
    out[pos++] = x;
    return pos;
  }
  let x = v;
  while (x >= 0x80n) {
    out[pos++] = Number(x & 0x7fn) | 0x80;
    x >>= 7n;
  }
  out[pos++] = Number(x);
  return pos;
}

/** Copies src[start, end) to out at pos; returns the position after it. Short runs byte by byte. */
function copyRange(src: Uint8Array, start: number, end: number, out: Uint8Array, pos: number): number {
  const n = end - start;
  if (n > 64) out.set(src.subarray(start, end), pos);
  else for (let i = 0; i < n; i++) out[pos + i] = src[start + i]!;
  return pos + n;
}

/** The value of rewritten field `num` in `header`, or undefined when it is not written. */
function rewritten(header: HeaderView, num: number): number | bigint | Uint8Array | undefined {
  switch (num) {
    case 6:
      return header.ttl !== 0 ? header.ttl : undefined;
    case 7:
      return header.recvFrom;
    case 8:
      return header.forwardTo;
    case 9:
      return header.incomingConn;
    default:
      return header.headerMac;
  }
}

function fieldSize(value: number | bigint | Uint8Array): number {
  return 1 + (value instanceof Uint8Array ? varintSize(value.length) + value.length : varintSize(value));
}

function putField(out: Uint8Array, p: number, num: number, value: number | bigint | Uint8Array): number {
  out[p++] = value instanceof Uint8Array ? (num << 3) | 2 : num << 3;
  if (value instanceof Uint8Array) {
    p = putVarint(out, p, value.length);
    out.set(value, p);
    return p + value.length;
  }
  return putVarint(out, p, value);
}

/** The frame's bytes with the routing fields of `header` (ttl, recv_from, forward_to, incoming_conn, MAC). */
export function spliceHeader(layout: PublishLayout, header: HeaderView): Uint8Array {
  const { buf, keep } = layout;
  let hLen = 0;
  for (let k = 0; k < keep.length; k += 3) hLen += keep[k + 2]! - keep[k + 1]!;
  for (const num of REWRITTEN_NUMS) {
    const v = rewritten(header, num);
    if (v !== undefined) hLen += fieldSize(v);
  }
  const before = layout.pubStart;
  const pubBefore = layout.hdrStart - layout.pubDataStart;
  const pubAfter = layout.pubEnd - layout.hdrEnd;
  const after = buf.length - layout.pubEnd;
  const pubLen = pubBefore + 1 + varintSize(hLen) + hLen + pubAfter;
  const total = before + 1 + varintSize(pubLen) + pubLen + after;
  const out = transientBytes(total); // every byte is written below; the batch writer copies it out
  let p = copyRange(buf, 0, before, out, 0);
  out[p++] = 0x1a; // Message.publish = 3, LEN
  p = putVarint(out, p, pubLen);
  p = copyRange(buf, layout.pubDataStart, layout.hdrStart, out, p);
  out[p++] = 0x0a; // Publish.header = 1, LEN
  p = putVarint(out, p, hLen);
  // Fields in number order, as the reference writes them.
  let r = 0;
  for (let k = 0; k < keep.length; k += 3) {
    for (; r < REWRITTEN_NUMS.length && REWRITTEN_NUMS[r]! < keep[k]!; r++) {
      const v = rewritten(header, REWRITTEN_NUMS[r]!);
      if (v !== undefined) p = putField(out, p, REWRITTEN_NUMS[r]!, v);
    }
    p = copyRange(buf, keep[k + 1]!, keep[k + 2]!, out, p);
  }
  for (; r < REWRITTEN_NUMS.length; r++) {
    const v = rewritten(header, REWRITTEN_NUMS[r]!);
    if (v !== undefined) p = putField(out, p, REWRITTEN_NUMS[r]!, v);
  }
  p = copyRange(buf, layout.hdrEnd, layout.pubEnd, out, p);
  copyRange(buf, layout.pubEnd, buf.length, out, p);
  return out;
}
