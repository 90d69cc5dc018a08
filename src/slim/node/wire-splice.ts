// Hot path of the node (measured: re-encoding a whole frame per hop cost about half of the
// per-frame CPU; BENCHMARKS.md, "Data plane"). A forwarded Publish differs from the received one
// only in its SLIMHeader's TTL, incoming_conn, recv_from/forward_to and header_mac, so we keep
// every other byte as received and rewrite just those fields. The frame was fully decoded (and so
// validated) on the way in; this file only re-assembles bytes.
// Protobuf wire format: tag = (field << 3) | wire type; LEN fields carry a varint length.
import { transientBytes } from '../../util/transient-bytes.js';
import type { HeaderView } from './header-view.js';

interface RawField {
  num: number;
  bytes: Uint8Array;
}

/** Where the header sits in a received frame, and the header fields that pass through as they are. */
export interface PublishLayout {
  before: Uint8Array; // Message bytes before the publish field
  after: Uint8Array; // Message bytes after it (e.g. metadata)
  pubBefore: Uint8Array; // Publish bytes before the header field
  pubAfter: Uint8Array; // Publish bytes after it (session header, content)
  keep: RawField[]; // header fields other than 6 ttl, 7 recv_from, 8 forward_to, 9 incoming_conn, 11 header_mac
  headerStart: number; // the header's payload in the frame
  headerEnd: number;
  /** Message-level fields besides the publish (metadata, unknown): present or not. */
  hasOtherFields: boolean;
}

const REWRITTEN = new Set([6, 7, 8, 9, 11]);

class Walker {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
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
  /** Reads one field; returns its number, its whole span and, for LEN fields, the payload span. */
  field(): { num: number; start: number; end: number; dataStart: number } {
    const start = this.pos;
    const tag = this.varint();
    const num = Math.floor(tag / 8);
    const type = tag & 7;
    let dataStart = this.pos;
    switch (type) {
      case 0:
        this.varint();
        break;
      case 1:
        this.pos += 8;
        break;
      case 2: {
        const len = this.varint();
        dataStart = this.pos;
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
    return { num, start, end: this.pos, dataStart };
  }
}

/**
 * The layout of a Message whose only message-type field is one publish with one header;
 * undefined otherwise (such frames take the full decode/encode path). Throws RangeError on
 * truncated bytes.
 */
export function publishLayout(buf: Uint8Array): PublishLayout | undefined {
  let pub: { start: number; end: number; dataStart: number } | undefined;
  let hasOtherFields = false;
  for (const w = new Walker(buf); w.pos < w.end;) {
    const f = w.field();
    if (f.num === 3) {
      if (pub) return undefined; // a second publish field would be merged by decoders: not our fast path
      pub = f;
    } else if (f.num === 1 || f.num === 2 || f.num === 5 || f.num === 6) {
      return undefined; // another case of the oneof: decoders keep the last one
    } else hasOtherFields = true;
  }
  if (!pub) return undefined;
  let hdr: { start: number; end: number; dataStart: number } | undefined;
  for (const w = new Walker(buf, pub.dataStart, pub.end); w.pos < w.end;) {
    const f = w.field();
    if (f.num === 1) {
      if (hdr) return undefined;
      hdr = f;
    }
  }
  if (!hdr) return undefined;
  const keep: RawField[] = [];
  for (const w = new Walker(buf, hdr.dataStart, hdr.end); w.pos < w.end;) {
    const f = w.field();
    if (!REWRITTEN.has(f.num)) keep.push({ num: f.num, bytes: buf.subarray(f.start, f.end) });
  }
  return {
    before: buf.subarray(0, pub.start),
    after: buf.subarray(pub.end),
    pubBefore: buf.subarray(pub.dataStart, hdr.start),
    pubAfter: buf.subarray(hdr.end, pub.end),
    keep,
    headerStart: hdr.dataStart,
    headerEnd: hdr.end,
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

/** The frame's bytes with the routing fields of `header` (ttl, recv_from, forward_to, incoming_conn, MAC). */
export function spliceHeader(layout: PublishLayout, header: HeaderView): Uint8Array {
  const extra: { num: number; tag: number; value: number | bigint | Uint8Array }[] = [];
  if (header.ttl !== 0) extra.push({ num: 6, tag: 0x30, value: header.ttl });
  if (header.recvFrom !== undefined) extra.push({ num: 7, tag: 0x38, value: header.recvFrom });
  if (header.forwardTo !== undefined) extra.push({ num: 8, tag: 0x40, value: header.forwardTo });
  if (header.incomingConn !== undefined) extra.push({ num: 9, tag: 0x48, value: header.incomingConn });
  if (header.headerMac !== undefined) extra.push({ num: 11, tag: 0x5a, value: header.headerMac });
  let hLen = 0;
  for (const f of layout.keep) hLen += f.bytes.length;
  for (const e of extra) {
    hLen +=
      1 + (e.value instanceof Uint8Array ? varintSize(e.value.length) + e.value.length : varintSize(e.value));
  }
  const pubLen = layout.pubBefore.length + 1 + varintSize(hLen) + hLen + layout.pubAfter.length;
  const total = layout.before.length + 1 + varintSize(pubLen) + pubLen + layout.after.length;
  const out = transientBytes(total); // every byte is written below; the batch writer copies it out
  let p = 0;
  out.set(layout.before, p);
  p += layout.before.length;
  out[p++] = 0x1a; // Message.publish = 3, LEN
  p = putVarint(out, p, pubLen);
  out.set(layout.pubBefore, p);
  p += layout.pubBefore.length;
  out[p++] = 0x0a; // Publish.header = 1, LEN
  p = putVarint(out, p, hLen);
  // Fields in number order, as the reference writes them.
  let e = 0;
  for (const f of layout.keep) {
    while (e < extra.length && extra[e]!.num < f.num) p = putExtra(out, p, extra[e++]!);
    out.set(f.bytes, p);
    p += f.bytes.length;
  }
  while (e < extra.length) p = putExtra(out, p, extra[e++]!);
  out.set(layout.pubAfter, p);
  p += layout.pubAfter.length;
  out.set(layout.after, p);
  return out;
}

function putExtra(
  out: Uint8Array,
  p: number,
  e: { tag: number; value: number | bigint | Uint8Array },
): number {
  out[p++] = e.tag;
  if (e.value instanceof Uint8Array) {
    p = putVarint(out, p, e.value.length);
    out.set(e.value, p);
    return p + e.value.length;
  }
  return putVarint(out, p, e.value);
}
