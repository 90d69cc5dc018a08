// A hand-written decoder for Message{publish} frames, the traffic every link carries. It reads
// only the shapes an encoder writes for these messages (each field at most once, with its declared
// wire type, canonical varints, valid UTF-8) and builds exactly the objects protobuf-es's
// fromBinary builds (same $typeName, defaults, presence of optional fields, bytes as views of the
// input); the tests check deep equality with fromBinary on every captured frame. Anything else
// (another message type, unknown or repeated fields, odd encodings, malformed bytes) returns
// undefined and the caller decodes with fromBinary, which then accepts or refuses it exactly as it
// always did. A command payload inside is decoded by fromBinary itself (control frames are rare).
import { isUtf8 } from 'node:buffer';
import { fromBinary } from '@bufbuild/protobuf';
import { CommandPayloadSchema } from './gen/slim/dataplane/v1/data_plane_pb.js';
import type {
  Content,
  Message,
  Name,
  Publish,
  SLIMHeader,
  SessionHeader,
} from './gen/slim/dataplane/v1/data_plane_pb.js';

const T = 'dataplane.proto.v1.';

/** Any deviation from the shapes handled here; caught at the top, never escapes. */
class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported();

/** Node's Buffer slicing primitives (what toString calls after checking its arguments). */
interface FastSlices {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

class Reader {
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
function once(seen: number, field: number): number {
  const bit = 1 << field;
  if (seen & bit) throw UNSUPPORTED;
  return seen | bit;
}

function expect(tag: number, wireType: number): number {
  if ((tag & 7) !== wireType) throw UNSUPPORTED;
  return tag >>> 3;
}

/**
 * Decoded Names by their bytes: the same few names head every frame, and decoding one (six
 * 64-bit varints, three strings) is most of a header. Each read gets its own objects, copied from
 * a template that was checked when first decoded.
 */
const nameCache = new Map<string, Name>();
const NAME_CACHE_SIZE = 4096;

function copyName(t: Name): Name {
  const n = { $typeName: `${T}Name` } as Name;
  const e = t.name;
  if (e) {
    n.name = {
      $typeName: `${T}EncodedName`,
      component0: e.component0,
      component1: e.component1,
      component2: e.component2,
    } as NonNullable<Name['name']>;
    if (e.nameId) n.name.nameId = { ...e.nameId };
  }
  if (t.strName) n.strName = { ...t.strName };
  return n;
}

function readName(r: Reader): Name {
  const key = (r.view as unknown as FastSlices).latin1Slice(r.pos, r.end);
  const cached = nameCache.get(key);
  if (cached) return copyName(cached);
  const n = decodeName(r);
  if (nameCache.size >= NAME_CACHE_SIZE) nameCache.clear();
  nameCache.set(key, copyName(n));
  return n;
}

function decodeName(r: Reader): Name {
  const n = { $typeName: `${T}Name` } as Name;
  let seen = 0;
  while (r.pos < r.end) {
    const f = expect(r.tag(), 2);
    seen = once(seen, f);
    const s = r.sub();
    if (f === 1) {
      const e = {
        $typeName: `${T}EncodedName`,
        component0: 0n,
        component1: 0n,
        component2: 0n,
      } as NonNullable<Name['name']>;
      let es = 0;
      while (s.pos < s.end) {
        const tag = s.tag();
        const ef = tag >>> 3;
        es = once(es, ef);
        if (ef >= 1 && ef <= 3) {
          expect(tag, 0);
          const v = s.u64();
          if (ef === 1) e.component0 = v;
          else if (ef === 2) e.component1 = v;
          else e.component2 = v;
        } else if (ef === 4) {
          expect(tag, 2);
          const ir = s.sub();
          const id = { $typeName: `${T}NameId`, id0: 0n, id1: 0n } as NonNullable<typeof e.nameId>;
          let is = 0;
          while (ir.pos < ir.end) {
            const itf = expect(ir.tag(), 0);
            is = once(is, itf);
            if (itf === 1) id.id0 = ir.u64();
            else if (itf === 2) id.id1 = ir.u64();
            else throw UNSUPPORTED;
          }
          e.nameId = id;
        } else throw UNSUPPORTED;
      }
      n.name = e;
    } else if (f === 2) {
      const t = {
        $typeName: `${T}StringName`,
        strComponent0: '',
        strComponent1: '',
        strComponent2: '',
      } as NonNullable<Name['strName']>;
      let ts = 0;
      while (s.pos < s.end) {
        const tf = expect(s.tag(), 2);
        ts = once(ts, tf);
        if (tf === 1) t.strComponent0 = s.str();
        else if (tf === 2) t.strComponent1 = s.str();
        else if (tf === 3) t.strComponent2 = s.str();
        else throw UNSUPPORTED;
      }
      n.strName = t;
    } else throw UNSUPPORTED;
  }
  return n;
}

function readHeader(r: Reader): SLIMHeader {
  const h = { $typeName: `${T}SLIMHeader`, identity: '', fanout: 0, version: '', ttl: 0 } as SLIMHeader;
  let seen = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    const f = tag >>> 3;
    seen = once(seen, f);
    switch (f) {
      case 1:
        expect(tag, 2);
        h.source = readName(r.sub());
        break;
      case 2:
        expect(tag, 2);
        h.destination = readName(r.sub());
        break;
      case 3:
        expect(tag, 2);
        h.identity = r.str();
        break;
      case 4:
        expect(tag, 0);
        h.fanout = r.u32();
        break;
      case 5:
        expect(tag, 2);
        h.version = r.str();
        break;
      case 6:
        expect(tag, 0);
        h.ttl = r.u32();
        break;
      case 7:
        expect(tag, 0);
        h.recvFrom = r.u64();
        break;
      case 8:
        expect(tag, 0);
        h.forwardTo = r.u64();
        break;
      case 9:
        expect(tag, 0);
        h.incomingConn = r.u64();
        break;
      case 10:
        expect(tag, 0);
        h.error = r.bool();
        break;
      case 11:
        expect(tag, 2);
        h.headerMac = r.bytesField();
        break;
      case 12:
        expect(tag, 2);
        h.e2eHeaderSig = r.bytesField();
        break;
      default:
        throw UNSUPPORTED;
    }
  }
  return h;
}

/** An open enum as protobuf-es reads it (int32); larger values are left to fromBinary. */
function enumValue(r: Reader): number {
  const v = r.u32();
  if (v > 0x7fff_ffff) throw UNSUPPORTED;
  return v;
}

function readSession(r: Reader): SessionHeader {
  const s = {
    $typeName: `${T}SessionHeader`,
    sessionType: 0,
    sessionMessageType: 0,
    sessionId: 0,
    messageId: 0,
  } as SessionHeader;
  let seen = 0;
  while (r.pos < r.end) {
    const f = expect(r.tag(), 0);
    seen = once(seen, f);
    if (f === 1) s.sessionType = enumValue(r);
    else if (f === 2) s.sessionMessageType = enumValue(r);
    else if (f === 3) s.sessionId = r.u32();
    else if (f === 4) s.messageId = r.u32();
    else throw UNSUPPORTED;
  }
  return s;
}

function readContent(r: Reader): Content {
  const c = { $typeName: `${T}Content`, contentType: { case: undefined } } as Content;
  let seen = 0;
  while (r.pos < r.end) {
    const f = expect(r.tag(), 2);
    seen = once(seen, f);
    const s = r.sub();
    if (f === 1) {
      if (seen & (1 << 2)) throw UNSUPPORTED; // both oneof members: left to fromBinary
      const a = {
        $typeName: `${T}ApplicationPayload`,
        payloadType: '',
        blob: new Uint8Array(0),
      } as Extract<Content['contentType'], { case: 'appPayload' }>['value'];
      let as = 0;
      while (s.pos < s.end) {
        const af = expect(s.tag(), 2);
        as = once(as, af);
        if (af === 1) a.payloadType = s.str();
        else if (af === 2) a.blob = s.bytesField();
        else throw UNSUPPORTED;
      }
      c.contentType = { case: 'appPayload', value: a };
    } else if (f === 2) {
      if (seen & (1 << 1)) throw UNSUPPORTED;
      const value = fromBinary(CommandPayloadSchema, r.bytes.subarray(s.pos, s.end));
      c.contentType = { case: 'commandPayload', value };
    } else throw UNSUPPORTED;
  }
  return c;
}

function readPublish(r: Reader): Publish {
  const p = { $typeName: `${T}Publish` } as Publish;
  let seen = 0;
  while (r.pos < r.end) {
    const f = expect(r.tag(), 2);
    seen = once(seen, f);
    const s = r.sub();
    if (f === 1) p.header = readHeader(s);
    else if (f === 2) p.session = readSession(s);
    else if (f === 3) p.msg = readContent(s);
    else throw UNSUPPORTED;
  }
  return p;
}

function viewOf(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * fromBinary(MessageSchema, bytes) when the fast path can take it: a Message whose fields are at
 * most one publish and metadata entries (`requirePublish`: exactly one publish). Undefined
 * otherwise: fromBinary must do the work (and accept or refuse the bytes).
 */
function decodeMessageFields(bytes: Uint8Array, requirePublish: boolean): Message | undefined {
  const r = new Reader(bytes, viewOf(bytes), 0, bytes.length);
  const msg = { $typeName: `${T}Message`, messageType: { case: undefined }, metadata: {} } as Message;
  let publish = false;
  try {
    while (r.pos < r.end) {
      const f = expect(r.tag(), 2);
      if (f === 3) {
        if (publish) throw UNSUPPORTED;
        publish = true;
        msg.messageType = { case: 'publish', value: readPublish(r.sub()) };
      } else if (f === 4) {
        const e = r.sub();
        let key = '';
        let value = '';
        let es = 0;
        while (e.pos < e.end) {
          const ef = expect(e.tag(), 2);
          es = once(es, ef);
          if (ef === 1) key = e.str();
          else if (ef === 2) value = e.str();
          else throw UNSUPPORTED;
        }
        if (key === '__proto__') throw UNSUPPORTED;
        msg.metadata[key] = value;
      } else throw UNSUPPORTED;
    }
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
  return publish || !requirePublish ? msg : undefined;
}

/** fromBinary(MessageSchema, bytes) for a Publish frame; undefined when it must do the work itself. */
export function decodePublishMessage(bytes: Uint8Array): Message | undefined {
  return decodeMessageFields(bytes, true);
}

/**
 * fromBinary(MessageSchema, bytes) for bytes holding only Message fields a node passes through
 * untouched (metadata entries, perhaps a publish); undefined when fromBinary must decide.
 */
export function decodeMessagePart(bytes: Uint8Array): Message | undefined {
  return decodeMessageFields(bytes, false);
}

/** fromBinary(PublishSchema, bytes) (a Publish body, or part of one); undefined as above. */
export function decodePublishPart(bytes: Uint8Array): Publish | undefined {
  try {
    return readPublish(new Reader(bytes, viewOf(bytes), 0, bytes.length));
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}
