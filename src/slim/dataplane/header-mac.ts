// Per-link SLIM header MAC (docs/dataplane.md#header-mac): HMAC-SHA256 over a byte-exact preimage
// of the routing fields of a SLIMHeader, keyed per link. Every hop signs what it sends on that
// link and verifies what it receives. The preimage must match the reference byte for byte
// (crates/datapath/src/header_mac.rs): little-endian integers, presence bytes for optional
// fields and names, and it leaves out version, incoming_conn, the MAC itself and the e2e signature.
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/** The Name fields the preimage reads (a decoded proto Name, or the node's lighter view of one). */
export interface MacName {
  name?:
    | {
        component0: bigint;
        component1: bigint;
        component2: bigint;
        nameId?: { id0: bigint; id1: bigint } | undefined;
      }
    | undefined;
  strName?: { strComponent0: string; strComponent1: string; strComponent2: string } | undefined;
}

/** The SLIMHeader fields the MAC covers, plus the tag itself. */
export interface MacHeader {
  source?: MacName | undefined;
  destination?: MacName | undefined;
  identity: string;
  fanout: number;
  ttl: number;
  recvFrom?: bigint | undefined;
  forwardTo?: bigint | undefined;
  error?: boolean | undefined;
  headerMac?: Uint8Array | undefined;
}

const DOMAIN = Buffer.from('SLIM-DP-HDR-v1\0', 'latin1');
export const HEADER_MAC_BYTES = 32;

function nameSize(n: MacName | undefined): number {
  if (!n) return 1;
  let size = 1;
  const enc = n.name;
  size += enc ? 1 + 24 + 1 + (enc.nameId ? 16 : 0) : 1;
  const s = n.strName;
  if (s) {
    size +=
      1 +
      12 +
      Buffer.byteLength(s.strComponent0) +
      Buffer.byteLength(s.strComponent1) +
      Buffer.byteLength(s.strComponent2);
  } else {
    size += 1;
  }
  return size;
}

class Writer {
  offset = 0;
  constructor(readonly buf: Buffer) {}
  u8(v: number): void {
    this.buf[this.offset++] = v;
  }
  u32(v: number): void {
    this.buf.writeUInt32LE(v >>> 0, this.offset);
    this.offset += 4;
  }
  u64(v: bigint): void {
    this.buf.writeBigUInt64LE(BigInt.asUintN(64, v), this.offset);
    this.offset += 8;
  }
  bytes(b: Buffer): void {
    this.u32(b.length);
    b.copy(this.buf, this.offset);
    this.offset += b.length;
  }
  str(s: string): void {
    const len = Buffer.byteLength(s);
    this.u32(len);
    this.offset += this.buf.write(s, this.offset, len, 'utf8');
  }
  name(n: MacName | undefined): void {
    if (!n) {
      this.u8(0);
      return;
    }
    this.u8(1);
    const enc = n.name;
    if (enc) {
      this.u8(1);
      this.u64(enc.component0);
      this.u64(enc.component1);
      this.u64(enc.component2);
      if (enc.nameId) {
        this.u8(1);
        this.u64(enc.nameId.id0);
        this.u64(enc.nameId.id1);
      } else {
        this.u8(0);
      }
    } else {
      this.u8(0);
    }
    const s = n.strName;
    if (s) {
      this.u8(1);
      this.str(s.strComponent0);
      this.str(s.strComponent1);
      this.str(s.strComponent2);
    } else {
      this.u8(0);
    }
  }
}

/** Preimage bytes of Names nothing can change (deeply frozen, as the session layer's are). */
const frozenNames = new WeakMap<MacName, Buffer>();

function deepFrozen(n: MacName): boolean {
  return (
    Object.isFrozen(n) &&
    (!n.name || (Object.isFrozen(n.name) && (!n.name.nameId || Object.isFrozen(n.name.nameId)))) &&
    (!n.strName || Object.isFrozen(n.strName))
  );
}

/** NAME(n) of the preimage. */
function namePart(n: MacName | undefined): Buffer {
  if (!n) return ABSENT;
  const cached = frozenNames.get(n);
  if (cached) return cached;
  const w = new Writer(Buffer.allocUnsafe(nameSize(n)));
  w.name(n);
  if (deepFrozen(n)) frozenNames.set(n, w.buf);
  return w.buf;
}

const ABSENT = Buffer.from([0]);

/**
 * The part of the preimage after the link id and before the TTL. A node verifies a frame on one
 * link and signs it for others: only the link id and the TTL differ, so it builds this once.
 */
export function headerMacBody(header: MacHeader): Buffer {
  const source = namePart(header.source);
  const destination = namePart(header.destination);
  const size =
    source.length +
    destination.length +
    4 +
    Buffer.byteLength(header.identity) +
    4 +
    (header.recvFrom === undefined ? 1 : 9) +
    (header.forwardTo === undefined ? 1 : 9) +
    (header.error === undefined ? 1 : 2);
  const w = new Writer(Buffer.allocUnsafe(size));
  source.copy(w.buf, 0);
  destination.copy(w.buf, source.length);
  w.offset = source.length + destination.length;
  w.str(header.identity);
  w.u32(header.fanout);
  if (header.recvFrom === undefined) w.u8(0);
  else {
    w.u8(1);
    w.u64(header.recvFrom);
  }
  if (header.forwardTo === undefined) w.u8(0);
  else {
    w.u8(1);
    w.u64(header.forwardTo);
  }
  if (header.error === undefined) w.u8(0);
  else {
    w.u8(1);
    w.u8(header.error ? 1 : 0);
  }
  return w.offset === size ? w.buf : w.buf.subarray(0, w.offset);
}

function linkPrefix(linkId: Buffer): Buffer {
  const b = Buffer.allocUnsafe(DOMAIN.length + 4 + linkId.length);
  DOMAIN.copy(b, 0);
  b.writeUInt32LE(linkId.length, DOMAIN.length);
  linkId.copy(b, DOMAIN.length + 4);
  return b;
}

function ttlBytes(ttl: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(ttl >>> 0, 0);
  return b;
}

/** The exact bytes the reference MACs for `header` on the link `linkId`. */
export function headerMacPreimage(header: MacHeader, linkId: string | Buffer): Buffer {
  const link = typeof linkId === 'string' ? Buffer.from(linkId, 'utf8') : linkId;
  return Buffer.concat([linkPrefix(link), headerMacBody(header), ttlBytes(header.ttl)]);
}

/** Signs and verifies headers on one link: the derived 32-byte key plus that link's id. */
export class HeaderMac {
  private readonly key: KeyObject;
  private readonly prefix: Buffer;

  constructor(key: Uint8Array, linkId: string) {
    if (key.length < 32) throw new RangeError('header MAC key must be at least 32 bytes');
    if (linkId === '') throw new RangeError('link id must not be empty');
    this.key = createSecretKey(Buffer.from(key));
    this.prefix = linkPrefix(Buffer.from(linkId, 'utf8'));
  }

  /** The tag of `header`; `body` is its headerMacBody() when the caller already has it. */
  compute(header: MacHeader, body: Buffer = headerMacBody(header)): Uint8Array {
    const mac = createHmac('sha256', this.key)
      .update(this.prefix)
      .update(body)
      .update(ttlBytes(header.ttl))
      .digest();
    return new Uint8Array(mac.buffer, mac.byteOffset, mac.byteLength);
  }

  /** Replaces any tag on `header` with this link's tag. */
  sign(header: MacHeader, body?: Buffer): void {
    header.headerMac = undefined;
    header.headerMac = this.compute(header, body);
  }

  /** True when `header` carries this link's valid tag (constant-time compare). */
  verify(header: MacHeader, body?: Buffer): boolean {
    const tag = header.headerMac;
    if (!tag || tag.length !== HEADER_MAC_BYTES) return false;
    return timingSafeEqual(this.compute(header, body), tag);
  }
}
