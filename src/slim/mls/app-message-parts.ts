// The pieces of an application PrivateMessage (RFC 9420 §6.1, §6.3, §8, §9): labelled key
// derivation, the FramedContentTBS signature input, the content and sender-data AADs and keys, one
// step of a leaf's application ratchet, and the secret tree with that ratchet moved on exactly as
// ts-mls's createRatchetResult does it. Pure functions over the group state; nothing is mutated
// (the encoded GroupContext of each epoch is cached, keyed by the immutable context object).
import type { ClientState } from 'ts-mls';
import { encodeGroupContext } from 'ts-mls/groupContext.js';
import { hkdfExpand } from './crypto/primitives.js';
import { Out, vlen } from './tls-bytes.js';
import { transientBytes } from '../../util/transient-bytes.js';

export const PROTOCOL_MLS10 = 1;
export const WIRE_PRIVATE = 2;
export const CONTENT_APPLICATION = 1;
const SENDER_MEMBER = 1;
const HASH_BYTES = 32; // KDF.Nh for SHA-256
const KEY_BYTES = 16; // AES-128-GCM
const NONCE_BYTES = 12;

type GroupContext = ClientState['groupContext'];
type SecretTree = ClientState['secretTree'];

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
export function signContent(
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
  // Signed or verified, then dropped: pooled memory (every byte is written below).
  const out = new Out(transientBytes(vlen(l.length) + l.length + vlen(tbsLength) + tbsLength));
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
  if (out.pos !== out.b.length) throw new Error('FramedContentTBS: size worked out wrong'); // never garbage
  return out.b;
}

/** PrivateContentAAD (§6.3.1). */
export function contentAad(gc: GroupContext, authenticatedData: Uint8Array): Uint8Array {
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
export function senderDataAad(gc: GroupContext): Uint8Array {
  const out = new Out(new Uint8Array(vlen(gc.groupId.length) + gc.groupId.length + 8 + 1));
  out.vec(gc.groupId);
  out.u64(gc.epoch);
  out.u8(CONTENT_APPLICATION);
  return out.b;
}

/** The sender-data key and nonce, from the first KDF.Nh bytes of the ciphertext (§6.3.2). */
export function senderDataKeys(senderDataSecret: Uint8Array, ciphertext: Uint8Array) {
  const sample = ciphertext.length < HASH_BYTES ? ciphertext : ciphertext.subarray(0, HASH_BYTES);
  return {
    key: expandWithLabel(senderDataSecret, 'key', sample, KEY_BYTES),
    nonce: expandWithLabel(senderDataSecret, 'nonce', sample, NONCE_BYTES),
  };
}

/** Key and nonce of one generation (the reuse guard applied to the nonce), and the next secret. */
export function ratchetStep(secret: Uint8Array, generation: number, reuseGuard: Uint8Array) {
  const next = deriveTreeSecret(secret, 'secret', generation, HASH_BYTES);
  const key = deriveTreeSecret(secret, 'key', generation, KEY_BYTES);
  const nonce = deriveTreeSecret(secret, 'nonce', generation, NONCE_BYTES);
  for (let i = 0; i < 4; i++) nonce[i]! ^= reuseGuard[i]!;
  return { next, key, nonce };
}

/** The tree with one leaf's application ratchet moved on, as ts-mls's createRatchetResult makes it. */
export function advance(
  tree: SecretTree,
  leafIndex: number,
  next: Uint8Array,
  generation: number,
): SecretTree {
  const index = leafIndex * 2;
  const node = tree[index]!;
  const newTree = tree.slice();
  newTree[index] = {
    ...node,
    application: { ...node.application, secret: next, generation: generation + 1 },
  };
  return newTree;
}
