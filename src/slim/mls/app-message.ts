// Application messages (RFC 9420 §6.3, PrivateMessage with content type application) in one
// synchronous pass over our native primitives, for the common case: every SLIM data frame is one.
// Measured: ts-mls's generic path spent about 70% of a message's CPU outside the cryptography
// (closure-composed TLS encoders, the GroupContext re-encoded for every signature, a promise per
// HKDF step); this one encodes straight into buffers, keeps each epoch's encoded GroupContext and
// derives keys without awaiting. The bytes, the signature input and the next group state are
// exactly ts-mls's (same secret-tree bookkeeping, padding, key retention), which the tests check
// by decrypting each path's output with the other.
//
// Only the plain case is taken: current epoch, the sender's next generation in order, native
// crypto, nothing unusual in the bytes. Anything else returns undefined before touching any state,
// and the caller runs ts-mls's own code, so errors and edge cases behave exactly as before.
import type { ClientState } from 'ts-mls';
import { encodeGroupContext } from 'ts-mls/groupContext.js';
import { byteLengthToPad } from 'ts-mls/paddingConfig.js';
import {
  aesGcmOpen,
  aesGcmSeal,
  ecdsaSign,
  ecdsaVerify,
  hkdfExpand,
  pooledRandomBytes,
} from './crypto/primitives.js';

const PROTOCOL_MLS10 = 1;
const WIRE_PRIVATE = 2;
const CONTENT_APPLICATION = 1;
const SENDER_MEMBER = 1;
const HASH_BYTES = 32; // KDF.Nh for SHA-256
const KEY_BYTES = 16; // AES-128-GCM
const NONCE_BYTES = 12;

type GroupContext = ClientState['groupContext'];
type SecretTree = ClientState['secretTree'];

// ---- MLS variable-length vectors (RFC 9420 §2.1.2) ----

function vlen(n: number): number {
  if (n < 64) return 1;
  if (n < 16384) return 2;
  if (n < 0x4000_0000) return 4;
  throw new RangeError('vector too long');
}

class Out {
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
class In {
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

// ---- labels and KDF (RFC 9420 §8, §5.1.2) ----

const encoder = new TextEncoder();
const labels = new Map<string, Uint8Array>();

function label(name: string): Uint8Array {
  let l = labels.get(name);
  if (!l) {
    l = encoder.encode(`MLS 1.0 ${name}`);
    labels.set(name, l);
  }
  return l;
}

/** ExpandWithLabel(secret, label, context, length). */
function expandWithLabel(secret: Uint8Array, name: string, context: Uint8Array, length: number): Uint8Array {
  const l = label(name);
  const info = new Uint8Array(2 + vlen(l.length) + l.length + vlen(context.length) + context.length);
  const o = new Out(info);
  o.u16(length);
  o.vec(l);
  o.vec(context);
  return hkdfExpand(secret, info, length);
}

const generationBytes = (g: number) => {
  const b = new Uint8Array(4);
  new Out(b).u32(g);
  return b;
};

/** DeriveTreeSecret(secret, label, generation, length). */
function deriveTreeSecret(secret: Uint8Array, name: string, generation: number, length: number): Uint8Array {
  return expandWithLabel(secret, name, generationBytes(generation), length);
}

// ---- the pieces of a PrivateMessage ----

const contexts = new WeakMap<GroupContext, Uint8Array>();

/** The encoded GroupContext of an epoch (it is part of every signature input). */
function contextBytes(gc: GroupContext): Uint8Array {
  let b = contexts.get(gc);
  if (!b) {
    b = encodeGroupContext(gc);
    contexts.set(gc, b);
  }
  return b;
}

/**
 * SignContent{label "FramedContentTBS", content = FramedContentTBS} of an application message
 * from a member (§6.1): what is signed and verified.
 */
function signContent(
  gc: GroupContext,
  leafIndex: number,
  authenticatedData: Uint8Array,
  applicationData: Uint8Array,
): Uint8Array {
  const ctx = contextBytes(gc);
  const tbsLength =
    2 +
    2 +
    vlen(gc.groupId.length) +
    gc.groupId.length +
    8 +
    5 +
    vlen(authenticatedData.length) +
    authenticatedData.length +
    1 +
    vlen(applicationData.length) +
    applicationData.length +
    ctx.length;
  const l = label('FramedContentTBS');
  const out = new Out(new Uint8Array(vlen(l.length) + l.length + vlen(tbsLength) + tbsLength));
  out.vec(l);
  out.len(tbsLength);
  out.u16(PROTOCOL_MLS10);
  out.u16(WIRE_PRIVATE);
  out.vec(gc.groupId);
  out.u64(gc.epoch);
  out.u8(SENDER_MEMBER);
  out.u32(leafIndex);
  out.vec(authenticatedData);
  out.u8(CONTENT_APPLICATION);
  out.vec(applicationData);
  out.raw(ctx);
  return out.b;
}

/** PrivateContentAAD (§6.3.1). */
function contentAad(gc: GroupContext, authenticatedData: Uint8Array): Uint8Array {
  const out = new Out(
    new Uint8Array(
      vlen(gc.groupId.length) +
        gc.groupId.length +
        8 +
        1 +
        vlen(authenticatedData.length) +
        authenticatedData.length,
    ),
  );
  out.vec(gc.groupId);
  out.u64(gc.epoch);
  out.u8(CONTENT_APPLICATION);
  out.vec(authenticatedData);
  return out.b;
}

/** SenderDataAAD (§6.3.2). */
function senderDataAad(gc: GroupContext): Uint8Array {
  const out = new Out(new Uint8Array(vlen(gc.groupId.length) + gc.groupId.length + 8 + 1));
  out.vec(gc.groupId);
  out.u64(gc.epoch);
  out.u8(CONTENT_APPLICATION);
  return out.b;
}

/** The sender-data key and nonce, from the first KDF.Nh bytes of the ciphertext (§6.3.2). */
function senderDataKeys(senderDataSecret: Uint8Array, ciphertext: Uint8Array) {
  const sample = ciphertext.length < HASH_BYTES ? ciphertext : ciphertext.subarray(0, HASH_BYTES);
  return {
    key: expandWithLabel(senderDataSecret, 'key', sample, KEY_BYTES),
    nonce: expandWithLabel(senderDataSecret, 'nonce', sample, NONCE_BYTES),
  };
}

/** Key and nonce of one generation (the reuse guard applied to the nonce), and the next secret. */
function ratchetStep(secret: Uint8Array, generation: number, reuseGuard: Uint8Array) {
  const next = deriveTreeSecret(secret, 'secret', generation, HASH_BYTES);
  const key = deriveTreeSecret(secret, 'key', generation, KEY_BYTES);
  const nonce = deriveTreeSecret(secret, 'nonce', generation, NONCE_BYTES);
  for (let i = 0; i < 4; i++) nonce[i]! ^= reuseGuard[i]!;
  return { next, key, nonce };
}

/** The tree with one leaf's application ratchet moved on, as ts-mls's createRatchetResult makes it. */
function advance(tree: SecretTree, leafIndex: number, next: Uint8Array, generation: number): SecretTree {
  const index = leafIndex * 2;
  const node = tree[index]!;
  const newTree = tree.slice();
  newTree[index] = {
    ...node,
    application: { ...node.application, secret: next, generation: generation + 1 },
  };
  return newTree;
}

export interface Protected {
  next: ClientState;
  bytes: Uint8Array;
  consumed: Uint8Array[];
}

/** An application message from `state`'s own leaf; undefined: use ts-mls. */
export function protectApplication(
  state: ClientState,
  plaintext: Uint8Array,
  authenticatedData: Uint8Array,
): Protected | undefined {
  if (Object.keys(state.unappliedProposals).length !== 0) return undefined;
  if (state.groupActiveState.kind !== 'active') return undefined;
  const gc = state.groupContext;
  const leafIndex = state.privatePath.leafIndex;
  const node = state.secretTree[leafIndex * 2];
  if (!node) return undefined;

  const signature = ecdsaSign(
    state.signaturePrivateKey,
    signContent(gc, leafIndex, authenticatedData, plaintext),
  );
  const contentLength = vlen(plaintext.length) + plaintext.length + vlen(signature.length) + signature.length;
  const content = new Out(
    new Uint8Array(contentLength + byteLengthToPad(contentLength, state.clientConfig.paddingConfig)),
  );
  content.vec(plaintext);
  content.vec(signature); // then zero padding (the array starts zeroed)

  const ratchet = node.application;
  const reuseGuard = pooledRandomBytes(4);
  const { next, key, nonce } = ratchetStep(ratchet.secret, ratchet.generation, reuseGuard);
  const ciphertext = aesGcmSeal(key, nonce, contentAad(gc, authenticatedData), content.b);

  const senderData = new Out(new Uint8Array(12));
  senderData.u32(leafIndex);
  senderData.u32(ratchet.generation);
  senderData.raw(reuseGuard);
  const sd = senderDataKeys(state.keySchedule.senderDataSecret, ciphertext);
  const encryptedSenderData = aesGcmSeal(sd.key, sd.nonce, senderDataAad(gc), senderData.b);

  const out = new Out(
    new Uint8Array(
      4 +
        vlen(gc.groupId.length) +
        gc.groupId.length +
        8 +
        1 +
        vlen(authenticatedData.length) +
        authenticatedData.length +
        vlen(encryptedSenderData.length) +
        encryptedSenderData.length +
        vlen(ciphertext.length) +
        ciphertext.length,
    ),
  );
  out.u16(PROTOCOL_MLS10);
  out.u16(WIRE_PRIVATE);
  out.vec(gc.groupId);
  out.u64(gc.epoch);
  out.u8(CONTENT_APPLICATION);
  out.vec(authenticatedData);
  out.vec(encryptedSenderData);
  out.vec(ciphertext);
  return {
    next: { ...state, secretTree: advance(state.secretTree, leafIndex, next, ratchet.generation) },
    bytes: out.b,
    consumed: [ratchet.secret, key],
  };
}

export interface Unprotected {
  next: ClientState;
  plaintext: Uint8Array;
  authenticatedData: Uint8Array;
  senderLeaf: number;
  epoch: bigint;
  consumed: Uint8Array[];
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** An application message to `state`, in the plain case; undefined: use ts-mls. */
export function unprotectApplication(state: ClientState, bytes: Uint8Array): Unprotected | undefined {
  const gc = state.groupContext;
  let groupId: Uint8Array;
  let epoch: bigint;
  let authenticatedData: Uint8Array;
  let encryptedSenderData: Uint8Array;
  let ciphertext: Uint8Array;
  try {
    const r = new In(bytes);
    if (r.u16() !== PROTOCOL_MLS10 || r.u16() !== WIRE_PRIVATE) return undefined;
    groupId = r.vec();
    epoch = r.u64();
    if (r.u8() !== CONTENT_APPLICATION) return undefined;
    authenticatedData = r.vec();
    encryptedSenderData = r.vec();
    ciphertext = r.vec();
    if (r.pos !== bytes.length) return undefined;
  } catch {
    return undefined;
  }
  if (epoch !== gc.epoch || !equalBytes(groupId, gc.groupId)) return undefined;

  let leafIndex: number;
  let generation: number;
  let reuseGuard: Uint8Array;
  try {
    const sd = senderDataKeys(state.keySchedule.senderDataSecret, ciphertext);
    const r = new In(aesGcmOpen(sd.key, sd.nonce, senderDataAad(gc), encryptedSenderData));
    leafIndex = r.u32();
    generation = r.u32();
    r.need(4);
    reuseGuard = r.b.subarray(r.pos, r.pos + 4);
  } catch {
    return undefined;
  }
  const leaf = state.ratchetTree[leafIndex * 2];
  const node = state.secretTree[leafIndex * 2];
  if (leaf?.nodeType !== 'leaf' || !node) return undefined;
  const ratchet = node.application;
  if (generation !== ratchet.generation) return undefined; // out of order: ts-mls keeps the books

  const { next, key, nonce } = ratchetStep(ratchet.secret, generation, reuseGuard);
  let applicationData: Uint8Array;
  let signature: Uint8Array;
  try {
    const content = aesGcmOpen(key, nonce, contentAad(gc, authenticatedData), ciphertext);
    const r = new In(content);
    applicationData = r.vec();
    signature = r.vec();
    for (let i = r.pos; i < content.length; i++) if (content[i] !== 0) return undefined;
  } catch {
    return undefined;
  }
  const tbs = signContent(gc, leafIndex, authenticatedData, applicationData);
  if (!ecdsaVerify(leaf.leaf.signaturePublicKey, tbs, signature)) return undefined;
  return {
    next: { ...state, secretTree: advance(state.secretTree, leafIndex, next, generation) },
    plaintext: applicationData,
    authenticatedData,
    senderLeaf: leafIndex,
    epoch,
    consumed: [ratchet.secret, key],
  };
}
