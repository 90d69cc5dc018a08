// A light, strict decoder for the SLIMHeader of a forwarded frame (the node's hot path; measured:
// protobuf-es's reflective decode was the largest share of our per-frame CPU). It reads only the
// shapes the reference writes: each known field at most once, with its declared wire type, valid
// UTF-8 strings. Anything else returns undefined and the frame takes the full protobuf-es path, so
// odd but valid encodings are still handled exactly as the codec defines them.
import { isUtf8 } from 'node:buffer';
import type { MacHeader, MacName } from '../dataplane/header-mac.js';

/** The header as the node reads and rewrites it (a proto SLIMHeader also fits). */
export interface HeaderView extends MacHeader {
  source?: MacName | undefined;
  destination?: MacName | undefined;
  incomingConn?: bigint | undefined;
}

class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  /** A varint of at most 5 bytes as an unsigned 32-bit number; undefined if longer. */
  u32(): number | undefined {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= this.end) return undefined;
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result >>> 0 === result ? result : result % 2 ** 32;
    }
    return undefined;
  }

  u64(): bigint | undefined {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) return undefined;
      const b = this.buf[this.pos++]!;
      if (i < 4) lo += (b & 0x7f) * 2 ** (7 * i);
      else hi += (b & 0x7f) * 2 ** (7 * (i - 4));
      if ((b & 0x80) === 0) {
        const v = hi === 0 ? BigInt(lo) : BigInt(lo) + (BigInt(hi) << 28n);
        return BigInt.asUintN(64, v);
      }
    }
    return undefined;
  }

  /** The [start, end) of a LEN field's payload. */
  len(): [number, number] | undefined {
    const n = this.u32();
    if (n === undefined || this.pos + n > this.end) return undefined;
    const start = this.pos;
    this.pos += n;
    return [start, this.pos];
  }

  str(): string | undefined {
    const r = this.len();
    if (!r) return undefined;
    const view = this.buf.subarray(r[0], r[1]);
    return isUtf8(view) ? view.toString('utf8') : undefined;
  }

  skip(type: number): boolean {
    switch (type) {
      case 0:
        return this.u64() !== undefined;
      case 1:
        this.pos += 8;
        return this.pos <= this.end;
      case 2:
        return this.len() !== undefined;
      case 5:
        this.pos += 4;
        return this.pos <= this.end;
      default:
        return false;
    }
  }
}

/** Reads fields of a message in [start, end); `onField` returns false to give up. */
function fields(r: Reader, onField: (num: number, type: number) => boolean): boolean {
  let seen = 0;
  while (r.pos < r.end) {
    const tag = r.u32();
    if (tag === undefined) return false;
    const num = tag >>> 3;
    const type = tag & 7;
    if (num >= 1 && num <= 12) {
      const bit = 1 << num;
      if (seen & bit) return false; // repeated singular field: leave merging to the full decoder
      seen |= bit;
      if (!onField(num, type)) return false;
    } else if (!r.skip(type)) return false;
  }
  return true;
}

function readName(buf: Buffer, start: number, end: number): MacName | undefined {
  const name: MacName = {};
  const r = new Reader(buf, start, end);
  const good = fields(r, (num, type) => {
    if (type !== 2) return num > 2 ? r.skip(type) : false;
    const span = r.len();
    if (!span) return false;
    if (num === 1) {
      const enc = readEncoded(buf, span[0], span[1]);
      if (!enc) return false;
      name.name = enc;
    } else if (num === 2) {
      const s = readStrings(buf, span[0], span[1]);
      if (!s) return false;
      name.strName = s;
    }
    return true;
  });
  return good ? name : undefined;
}

function readEncoded(buf: Buffer, start: number, end: number): MacName['name'] {
  const enc: NonNullable<MacName['name']> = { component0: 0n, component1: 0n, component2: 0n };
  const r = new Reader(buf, start, end);
  const good = fields(r, (num, type) => {
    if (num <= 3) {
      if (type !== 0) return false;
      const v = r.u64();
      if (v === undefined) return false;
      if (num === 1) enc.component0 = v;
      else if (num === 2) enc.component1 = v;
      else enc.component2 = v;
      return true;
    }
    if (num === 4) {
      if (type !== 2) return false;
      const span = r.len();
      if (!span) return false;
      const id = { id0: 0n, id1: 0n };
      const ir = new Reader(buf, span[0], span[1]);
      const idOk = fields(ir, (n, t) => {
        if (n > 2) return ir.skip(t);
        if (t !== 0) return false;
        const v = ir.u64();
        if (v === undefined) return false;
        if (n === 1) id.id0 = v;
        else id.id1 = v;
        return true;
      });
      if (!idOk) return false;
      enc.nameId = id;
      return true;
    }
    return r.skip(type);
  });
  return good ? enc : undefined;
}

function readStrings(buf: Buffer, start: number, end: number): MacName['strName'] {
  const s = { strComponent0: '', strComponent1: '', strComponent2: '' };
  const r = new Reader(buf, start, end);
  const good = fields(r, (num, type) => {
    if (num > 3) return r.skip(type);
    if (type !== 2) return false;
    const v = r.str();
    if (v === undefined) return false;
    if (num === 1) s.strComponent0 = v;
    else if (num === 2) s.strComponent1 = v;
    else s.strComponent2 = v;
    return true;
  });
  return good ? s : undefined;
}

/** Decodes the SLIMHeader in buf[start, end); undefined when the fast path should not take it. */
export function readHeaderView(buf: Buffer, start: number, end: number): HeaderView | undefined {
  const h: HeaderView = { identity: '', fanout: 0, ttl: 0 };
  const r = new Reader(buf, start, end);
  const good = fields(r, (num, type) => {
    switch (num) {
      case 1:
      case 2: {
        if (type !== 2) return false;
        const span = r.len();
        const name = span && readName(buf, span[0], span[1]);
        if (!name) return false;
        if (num === 1) h.source = name;
        else h.destination = name;
        return true;
      }
      case 3:
      case 5: {
        if (type !== 2) return false;
        const v = r.str();
        if (v === undefined) return false;
        if (num === 3) h.identity = v;
        return true; // version (5) is not needed by the node
      }
      case 4:
      case 6: {
        if (type !== 0) return false;
        const v = r.u32();
        if (v === undefined) return false;
        if (num === 4) h.fanout = v;
        else h.ttl = v;
        return true;
      }
      case 7:
      case 8:
      case 9: {
        if (type !== 0) return false;
        const v = r.u64();
        if (v === undefined) return false;
        if (num === 7) h.recvFrom = v;
        else if (num === 8) h.forwardTo = v;
        else h.incomingConn = v;
        return true;
      }
      case 10: {
        if (type !== 0) return false;
        const v = r.u64();
        if (v === undefined) return false;
        h.error = v !== 0n;
        return true;
      }
      case 11:
      case 12: {
        if (type !== 2) return false;
        const span = r.len();
        if (!span) return false;
        if (num === 11) h.headerMac = buf.subarray(span[0], span[1]);
        return true;
      }
      default:
        return r.skip(type);
    }
  });
  return good ? h : undefined;
}
