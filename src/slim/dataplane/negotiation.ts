// Link negotiation frames (docs/dataplane.md#link-negotiation), as pure functions: build the
// request an edge client sends first and the reply a node sends back, and check each side's view of
// the other's message. Crypto (key pairs, derivation) stays with the callers; this file only moves
// bytes and says why a message is unacceptable.
import { LinkConnectionType, newMessage } from '../proto/index.js';
import type { LinkNegotiationPayload, Message } from '../proto/index.js';
import { X25519_KEY_BYTES } from './link-key.js';

export { LinkConnectionType } from '../proto/index.js';

// semver.org's reference grammar (2.0.0), which the reference parses with the `semver` crate.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export function isSemver(version: string): boolean {
  return SEMVER.test(version);
}

export interface NegotiationParams {
  linkId: string;
  version: string;
  nodeId: string;
  connectionType: LinkConnectionType;
  /** Raw X25519 public key; omitted when no header MAC is wanted. */
  publicKey?: Uint8Array;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

function payloadOf(msg: Message): LinkNegotiationPayload | undefined {
  if (msg.messageType.case !== 'link') return undefined;
  const link = msg.messageType.value.linkType;
  return link.case === 'linkNegotiation' ? link.value : undefined;
}

function frame(p: NegotiationParams, isReply: boolean): Message {
  return newMessage({
    messageType: {
      case: 'link',
      value: {
        linkType: {
          case: 'linkNegotiation',
          value: {
            linkId: p.linkId,
            slimVersion: p.version,
            isReply,
            linkEcdhPublicKey: p.publicKey ?? new Uint8Array(0),
            connectionType: p.connectionType,
            nodeId: p.nodeId,
            deploymentName: '',
          },
        },
      },
    },
  });
}

/** The first frame of an outgoing link. */
export function negotiationRequest(p: NegotiationParams): Message {
  return frame(p, false);
}

/** A node's answer: echoes the link id and connection type of the request. */
export function negotiationReply(p: NegotiationParams): Message {
  return frame(p, true);
}

export interface PeerNegotiation {
  linkId: string;
  version: string;
  nodeId: string;
  connectionType: LinkConnectionType;
  /** The peer's X25519 key, if it sent one. */
  publicKey: Uint8Array | undefined;
}

function common(msg: Message, wantReply: boolean): Checked<PeerNegotiation> {
  const p = payloadOf(msg);
  if (!p)
    return { ok: false, reason: `first frame is ${msg.messageType.case ?? 'empty'}, not a link negotiation` };
  if (p.isReply !== wantReply) {
    return {
      ok: false,
      reason: wantReply ? 'negotiation reply has is_reply=false' : 'negotiation request has is_reply=true',
    };
  }
  if (p.linkKemPayload !== undefined && p.linkKemPayload.length > 0) {
    return { ok: false, reason: 'post-quantum (ML-KEM) link negotiation is not supported' };
  }
  if (!isSemver(p.slimVersion))
    return { ok: false, reason: `version "${p.slimVersion.slice(0, 40)}" is not semver` };
  if (p.linkId === '') return { ok: false, reason: 'empty link id' };
  const key = p.linkEcdhPublicKey;
  if (key.length !== 0 && key.length !== X25519_KEY_BYTES) {
    return { ok: false, reason: `link public key has ${key.length} bytes, expected 32` };
  }
  return {
    ok: true,
    value: {
      linkId: p.linkId,
      version: p.slimVersion,
      nodeId: p.nodeId,
      connectionType: p.connectionType,
      publicKey: key.length === X25519_KEY_BYTES ? key : undefined,
    },
  };
}

/** A node's check of a client's first frame. */
export function checkNegotiationRequest(msg: Message, requireKey: boolean): Checked<PeerNegotiation> {
  const r = common(msg, false);
  if (!r.ok) return r;
  if (r.value.connectionType === LinkConnectionType.PEER) {
    return { ok: false, reason: 'peer links (node federation) are not supported' };
  }
  if (
    r.value.connectionType !== LinkConnectionType.EDGE &&
    r.value.connectionType !== LinkConnectionType.REMOTE
  ) {
    return { ok: false, reason: `unknown connection type ${r.value.connectionType}` };
  }
  if (requireKey && !r.value.publicKey)
    return { ok: false, reason: 'no X25519 key offered (header MAC required)' };
  return r;
}

/** A client's check of the node's reply to its request `linkId`. */
export function checkNegotiationReply(
  msg: Message,
  linkId: string,
  requireKey: boolean,
): Checked<PeerNegotiation> {
  const r = common(msg, true);
  if (!r.ok) return r;
  if (r.value.linkId !== linkId) return { ok: false, reason: 'negotiation reply carries another link id' };
  if (requireKey && !r.value.publicKey) {
    return { ok: false, reason: 'node answered without an X25519 key (header MAC required)' };
  }
  return r;
}
