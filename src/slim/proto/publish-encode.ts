// A hand-written encoder for the frames that carry traffic: Message{publish} (and the
// HeaderIntegrityAad every data and control frame binds). Measured, protobuf-es's reflective
// toBinary took ~28 µs for a 2 KiB data frame; this takes a few. The bytes are exactly what
// toBinary writes (fields in number order, proto3 defaults omitted, optional fields written
// when present, map entries with key and value always written, in insertion order), which the
// tests check against toBinary on every captured frame. Anything it does not handle (another
// message type, unknown fields, a value toBinary would refuse) returns undefined: the caller then
// uses toBinary, so behaviour never differs, only speed.
// The wire writer and value checks are in publish-writer.ts.
import { toBinary } from '@bufbuild/protobuf';
import { CommandPayloadSchema } from './gen/slim/dataplane/v1/data_plane_pb.js';
import type {
  Content,
  Message,
  Name,
  Publish,
  SLIMHeader,
  SessionHeader,
} from './gen/slim/dataplane/v1/data_plane_pb.js';

import {
  UNSUPPORTED,
  Unsupported,
  Writer,
  checkEnum,
  checkU32,
  lenField,
  noUnknown,
  strLen,
  u64Size,
  varintSize,
} from './publish-writer.js';

// ---- Name ----

/**
 * Encoded Names by object, for Names nothing can change (deeply frozen, as toProtoName's are):
 * the same few names head every frame of a session.
 */
const frozenNames = new WeakMap<Name, Buffer>();

function isDeepFrozen(n: Name): boolean {
  return (
    Object.isFrozen(n) &&
    (!n.name || (Object.isFrozen(n.name) && (!n.name.nameId || Object.isFrozen(n.name.nameId)))) &&
    (!n.strName || Object.isFrozen(n.strName))
  );
}

/** The body of a Name (what follows its tag and length). */
function nameBytes(n: Name): Buffer {
  const cached = frozenNames.get(n);
  if (cached) return cached;
  noUnknown(n);
  const e = n.name;
  let es = 0;
  let is = 0;
  if (e) {
    noUnknown(e);
    if (e.component0 !== 0n) es += 1 + u64Size(e.component0);
    if (e.component1 !== 0n) es += 1 + u64Size(e.component1);
    if (e.component2 !== 0n) es += 1 + u64Size(e.component2);
    const id = e.nameId;
    if (id) {
      noUnknown(id);
      if (id.id0 !== 0n) is += 1 + u64Size(id.id0);
      if (id.id1 !== 0n) is += 1 + u64Size(id.id1);
      es += lenField(is);
    }
  }
  const t = n.strName;
  const cs = t ? [t.strComponent0, t.strComponent1, t.strComponent2] : [];
  const cl = cs.map(strLen);
  let ts = 0;
  if (t) {
    noUnknown(t);
    for (const l of cl) if (l > 0) ts += lenField(l);
  }
  const size = (e ? lenField(es) : 0) + (t ? lenField(ts) : 0);
  const w = new Writer(Buffer.allocUnsafe(size));
  if (e) {
    w.tag(1, 2);
    w.varint(es);
    if (e.component0 !== 0n) w.u64Field(1, e.component0);
    if (e.component1 !== 0n) w.u64Field(2, e.component1);
    if (e.component2 !== 0n) w.u64Field(3, e.component2);
    const id = e.nameId;
    if (id) {
      w.tag(4, 2);
      w.varint(is);
      if (id.id0 !== 0n) w.u64Field(1, id.id0);
      if (id.id1 !== 0n) w.u64Field(2, id.id1);
    }
  }
  if (t) {
    w.tag(2, 2);
    w.varint(ts);
    cs.forEach((c, i) => cl[i]! > 0 && w.str(i + 1, c, cl[i]!));
  }
  if (w.pos !== size) throw UNSUPPORTED;
  if (isDeepFrozen(n)) frozenNames.set(n, w.buf);
  return w.buf;
}

const writeNameBytes = (w: Writer, field: number, body: Buffer): void => w.bytes(field, body);

// ---- SLIMHeader ----

interface HeaderParts {
  size: number;
  source: Buffer | undefined;
  destination: Buffer | undefined;
  identity: number;
}

function headerParts(h: SLIMHeader): HeaderParts {
  noUnknown(h);
  let s = 0;
  const source = h.source ? nameBytes(h.source) : undefined;
  const destination = h.destination ? nameBytes(h.destination) : undefined;
  const identity = h.identity !== '' ? strLen(h.identity) : 0;
  if (source) s += lenField(source.length);
  if (destination) s += lenField(destination.length);
  if (identity > 0) s += lenField(identity);
  if (h.fanout !== 0) s += 1 + varintSize(checkU32(h.fanout));
  if (h.version !== '') s += lenField(strLen(h.version));
  if (h.ttl !== 0) s += 1 + varintSize(checkU32(h.ttl));
  if (h.recvFrom !== undefined) s += 1 + u64Size(h.recvFrom);
  if (h.forwardTo !== undefined) s += 1 + u64Size(h.forwardTo);
  if (h.incomingConn !== undefined) s += 1 + u64Size(h.incomingConn);
  if (h.error !== undefined) s += 2;
  if (h.headerMac !== undefined) s += lenField(h.headerMac.length);
  if (h.e2eHeaderSig !== undefined) s += lenField(h.e2eHeaderSig.length);
  return { size: s, source, destination, identity };
}

function writeHeader(w: Writer, h: SLIMHeader, parts: HeaderParts): void {
  w.tag(1, 2);
  w.varint(parts.size);
  if (parts.source) writeNameBytes(w, 1, parts.source);
  if (parts.destination) writeNameBytes(w, 2, parts.destination);
  if (parts.identity > 0) w.str(3, h.identity, parts.identity);
  if (h.fanout !== 0) w.varintField(4, h.fanout);
  if (h.version !== '') w.str(5, h.version, strLen(h.version));
  if (h.ttl !== 0) w.varintField(6, h.ttl);
  if (h.recvFrom !== undefined) w.u64Field(7, h.recvFrom);
  if (h.forwardTo !== undefined) w.u64Field(8, h.forwardTo);
  if (h.incomingConn !== undefined) w.u64Field(9, h.incomingConn);
  if (h.error !== undefined) w.varintField(10, h.error ? 1 : 0);
  if (h.headerMac !== undefined) w.bytes(11, h.headerMac);
  if (h.e2eHeaderSig !== undefined) w.bytes(12, h.e2eHeaderSig);
}

// ---- SessionHeader, Content ----

function sessionSize(s: SessionHeader): number {
  noUnknown(s);
  let n = 0;
  if (s.sessionType !== 0) n += 1 + varintSize(checkEnum(s.sessionType));
  if (s.sessionMessageType !== 0) n += 1 + varintSize(checkEnum(s.sessionMessageType));
  if (s.sessionId !== 0) n += 1 + varintSize(checkU32(s.sessionId));
  if (s.messageId !== 0) n += 1 + varintSize(checkU32(s.messageId));
  return n;
}

function writeSession(w: Writer, s: SessionHeader, size: number): void {
  w.tag(2, 2);
  w.varint(size);
  if (s.sessionType !== 0) w.varintField(1, s.sessionType);
  if (s.sessionMessageType !== 0) w.varintField(2, s.sessionMessageType);
  if (s.sessionId !== 0) w.varintField(3, s.sessionId);
  if (s.messageId !== 0) w.varintField(4, s.messageId);
}

/** The Content's inner field (already encoded for a command payload) and its size. */
function contentParts(c: Content): { size: number; command?: Uint8Array } {
  noUnknown(c);
  const ct = c.contentType;
  if (ct.case === 'appPayload') {
    const a = ct.value;
    noUnknown(a);
    let s = 0;
    if (a.payloadType !== '') s += lenField(strLen(a.payloadType));
    if (a.blob.length > 0) s += lenField(a.blob.length);
    return { size: lenField(s) };
  }
  if (ct.case === 'commandPayload') {
    const command = toBinary(CommandPayloadSchema, ct.value);
    return { size: lenField(command.length), command };
  }
  return { size: 0 };
}

function writeContent(w: Writer, c: Content, parts: { size: number; command?: Uint8Array }): void {
  w.tag(3, 2);
  w.varint(parts.size);
  const ct = c.contentType;
  if (ct.case === 'commandPayload') return w.bytes(2, parts.command!);
  if (ct.case !== 'appPayload') return;
  const a = ct.value;
  const pt = a.payloadType !== '' ? strLen(a.payloadType) : 0;
  w.tag(1, 2);
  w.varint((pt > 0 ? lenField(pt) : 0) + (a.blob.length > 0 ? lenField(a.blob.length) : 0));
  if (pt > 0) w.str(1, a.payloadType, pt);
  if (a.blob.length > 0) w.bytes(2, a.blob);
}

// ---- Message ----

/** The bytes toBinary(MessageSchema, msg) gives for a Publish frame; undefined for anything else. */
export function encodePublishMessage(msg: Message): Uint8Array | undefined {
  if (msg.messageType.case !== 'publish') return undefined;
  try {
    noUnknown(msg);
    const p: Publish = msg.messageType.value;
    noUnknown(p);
    const hp = p.header ? headerParts(p.header) : undefined;
    const ss = p.session ? sessionSize(p.session) : 0;
    const content = p.msg ? contentParts(p.msg) : undefined;
    const pubSize =
      (hp ? lenField(hp.size) : 0) + (p.session ? lenField(ss) : 0) + (content ? lenField(content.size) : 0);
    let total = lenField(pubSize);
    const meta: [string, number, string, number][] = [];
    for (const key in msg.metadata) {
      const value = msg.metadata[key]!;
      const k = strLen(key);
      const v = strLen(value);
      meta.push([key, k, value, v]);
      total += lenField(lenField(k) + lenField(v));
    }
    // Not from the shared pool: callers may hand the bytes (and their ArrayBuffer) on.
    const w = new Writer(Buffer.allocUnsafeSlow(total));
    w.tag(3, 2);
    w.varint(pubSize);
    if (p.header && hp) writeHeader(w, p.header, hp);
    if (p.session) writeSession(w, p.session, ss);
    if (p.msg && content) writeContent(w, p.msg, content);
    for (const [key, k, value, v] of meta) {
      w.tag(4, 2);
      w.varint(lenField(k) + lenField(v));
      w.str(1, key, k);
      w.str(2, value, v);
    }
    if (w.pos !== total) return undefined; // a string did not encode as measured: let toBinary do it
    return w.buf;
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

/** What a HeaderIntegrityAad carries (docs/sessions-mls.md#headerintegrityaad). */
export interface AadFields {
  version: number;
  source: Name | undefined;
  destination: Name | undefined;
  identity: string;
  sessionType: number;
  sessionMessageType: number;
  sessionId: number;
  messageId: number;
  payloadType: string;
}

/** The bytes toBinary(HeaderIntegrityAadSchema, create(..., fields)) gives; undefined when unsure. */
export function encodeAad(a: AadFields): Uint8Array | undefined {
  try {
    let total = 0;
    if (a.version !== 0) total += 1 + varintSize(checkU32(a.version));
    const source = a.source ? nameBytes(a.source) : undefined;
    const destination = a.destination ? nameBytes(a.destination) : undefined;
    if (source) total += lenField(source.length);
    if (destination) total += lenField(destination.length);
    const id = a.identity !== '' ? strLen(a.identity) : 0;
    if (id > 0) total += lenField(id);
    if (a.sessionType !== 0) total += 1 + varintSize(checkEnum(a.sessionType));
    if (a.sessionMessageType !== 0) total += 1 + varintSize(checkEnum(a.sessionMessageType));
    if (a.sessionId !== 0) total += 1 + varintSize(checkU32(a.sessionId));
    if (a.messageId !== 0) total += 1 + varintSize(checkU32(a.messageId));
    const pt = a.payloadType !== '' ? strLen(a.payloadType) : 0;
    if (pt > 0) total += lenField(pt);
    const w = new Writer(Buffer.allocUnsafeSlow(total));
    if (a.version !== 0) w.varintField(1, a.version);
    if (source) writeNameBytes(w, 2, source);
    if (destination) writeNameBytes(w, 3, destination);
    if (id > 0) w.str(4, a.identity, id);
    if (a.sessionType !== 0) w.varintField(5, a.sessionType);
    if (a.sessionMessageType !== 0) w.varintField(6, a.sessionMessageType);
    if (a.sessionId !== 0) w.varintField(7, a.sessionId);
    if (a.messageId !== 0) w.varintField(8, a.messageId);
    if (pt > 0) w.str(9, a.payloadType, pt);
    if (w.pos !== total) return undefined;
    return new Uint8Array(w.buf.buffer, w.buf.byteOffset, w.buf.byteLength);
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}
