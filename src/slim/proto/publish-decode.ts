// A hand-written decoder for Message{publish} frames, the traffic every link carries. It reads
// only the shapes an encoder writes for these messages (each field at most once, with its declared
// wire type, canonical varints, valid UTF-8) and builds exactly the objects protobuf-es's
// fromBinary builds (same $typeName, defaults, presence of optional fields, bytes as views of the
// input); the tests check deep equality with fromBinary on every captured frame. Anything else
// (another message type, unknown or repeated fields, odd encodings, malformed bytes) returns
// undefined and the caller decodes with fromBinary, which then accepts or refuses it exactly as it
// always did. A command payload inside is decoded by fromBinary itself (control frames are rare).
// The wire reader is publish-reader.ts; Names are read in publish-names.ts.
import { fromBinary } from '@bufbuild/protobuf';
import { CommandPayloadSchema } from './gen/slim/dataplane/v1/data_plane_pb.js';
import type {
  Content,
  Message,
  Publish,
  SLIMHeader,
  SessionHeader,
} from './gen/slim/dataplane/v1/data_plane_pb.js';
import { T, readName } from './publish-names.js';
import { Reader, UNSUPPORTED, expect, once, viewOf } from './publish-reader.js';

// $typeName values, built once (a template literal here would build the string per message).
const TYPE_SLIM_HEADER = `${T}SLIMHeader`;
const TYPE_SESSION_HEADER = `${T}SessionHeader`;
const TYPE_CONTENT = `${T}Content`;
const TYPE_APPLICATION_PAYLOAD = `${T}ApplicationPayload`;
const TYPE_PUBLISH = `${T}Publish`;
const TYPE_MESSAGE = `${T}Message`;

function readHeader(r: Reader): SLIMHeader {
  const h = { $typeName: TYPE_SLIM_HEADER, identity: '', fanout: 0, version: '', ttl: 0 } as SLIMHeader;
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
    $typeName: TYPE_SESSION_HEADER,
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
  const c = { $typeName: TYPE_CONTENT, contentType: { case: undefined } } as Content;
  let seen = 0;
  while (r.pos < r.end) {
    const f = expect(r.tag(), 2);
    seen = once(seen, f);
    const s = r.sub();
    if (f === 1) {
      if (seen & (1 << 2)) throw UNSUPPORTED; // both oneof members: left to fromBinary
      const a = {
        $typeName: TYPE_APPLICATION_PAYLOAD,
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
  const p = { $typeName: TYPE_PUBLISH } as Publish;
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

/**
 * fromBinary(MessageSchema, bytes) when the fast path can take it: a Message whose fields are at
 * most one publish and metadata entries (`requirePublish`: exactly one publish). Undefined
 * otherwise: fromBinary must do the work (and accept or refuse the bytes).
 */
function decodeMessageFields(bytes: Uint8Array, requirePublish: boolean): Message | undefined {
  const r = new Reader(bytes, viewOf(bytes), 0, bytes.length);
  const msg = { $typeName: TYPE_MESSAGE, messageType: { case: undefined }, metadata: {} } as Message;
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
  } catch {
    // Unsupported, or a command payload fromBinary refused on its own: either way the whole frame
    // goes to fromBinary, which accepts or refuses it as the codec defines (found by fuzzing).
    return undefined;
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

/**
 * fromBinary(PublishSchema, bytes.subarray(start, end)) (a Publish body, or part of one), read in
 * place; undefined as above.
 */
export function decodePublishPart(bytes: Uint8Array, start = 0, end = bytes.length): Publish | undefined {
  try {
    return readPublish(new Reader(bytes, viewOf(bytes), start, end));
  } catch {
    return undefined; // as above
  }
}
