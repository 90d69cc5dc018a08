// A Publish frame as it crosses the node. Only the SLIMHeader's routing fields change per hop
// (TTL, incoming_conn, recv_from/forward_to, MAC); the rest of the frame passes through as the
// bytes that arrived (wire-splice.ts). On the way in, a frame from a gRPC link is checked as
// strictly as a full decode would (header by header-view.ts, the rest by the codec) but only the
// header is turned into objects; a full Message is built only for in-process receivers. Frames
// the fast path does not take are fully decoded and re-encoded.
import { fromBinary } from '@bufbuild/protobuf';
import {
  MessageSchema,
  PublishSchema,
  decodeMessage,
  decodeMessagePart,
  decodePublishPart,
  encodeMessage,
} from '../proto/index.js';
import type { Message, SLIMHeader } from '../proto/index.js';
import { headerMacBody } from '../dataplane/header-mac.js';
import { readHeaderView } from './header-view.js';
import type { HeaderView } from './header-view.js';
import { publishLayout, spliceHeader } from './wire-splice.js';
import type { PublishLayout } from './wire-splice.js';

export type { HeaderView } from './header-view.js';

export class PublishFrame {
  private body: Buffer | undefined;

  private constructor(
    /** The incoming header; the forwarder rewrites its routing fields in place. */
    readonly header: HeaderView,
    readonly hasSessionHeader: boolean,
    private msg: Message | undefined,
    private bytes: Uint8Array | undefined,
    private layout: PublishLayout | undefined | null, // null: not worked out yet
  ) {}

  /** A frame from an in-process app (its header already copied by the caller). */
  static fromMessage(msg: Message): PublishFrame | undefined {
    if (msg.messageType.case !== 'publish') return undefined;
    const pub = msg.messageType.value;
    if (!pub.header) return undefined;
    return new PublishFrame(pub.header, pub.session !== undefined, msg, undefined, null);
  }

  /** The fast path for bytes from a gRPC link; undefined when the frame needs the full decoder. */
  static fromBytes(bytes: Buffer): PublishFrame | undefined {
    const layout = publishLayout(bytes);
    if (!layout) return undefined;
    const header = readHeaderView(bytes, layout.headerStart, layout.headerEnd);
    if (!header) return undefined;
    // Everything but the header is checked by the codec (throws on malformed bytes); its fast
    // path reads the usual shapes in place, anything else goes through protobuf-es.
    const sessionBefore = publishPartHasSession(bytes, layout.pubDataStart, layout.hdrStart);
    const sessionAfter = publishPartHasSession(bytes, layout.hdrEnd, layout.pubEnd); // both checked
    const hasSession = sessionBefore || sessionAfter;
    if (layout.hasOtherFields) {
      for (const part of [bytes.subarray(0, layout.pubStart), bytes.subarray(layout.pubEnd)])
        if (part.length > 0 && !decodeMessagePart(part)) fromBinary(MessageSchema, part);
    }
    return new PublishFrame(header, hasSession, undefined, bytes, layout);
  }

  /** The MAC preimage part shared by every link (the header's fields other than the TTL). */
  macBody(): Buffer {
    return (this.body ??= headerMacBody(this.header));
  }

  /** The frame's bytes with the routing fields (and MAC) of `header`. */
  toBytes(header: HeaderView): Uint8Array {
    if (this.layout === null) {
      this.bytes ??= encodeMessage(this.message());
      this.layout = publishLayout(this.bytes);
    }
    if (this.layout) return spliceHeader(this.layout, header);
    return encodeMessage(this.withRouting(header));
  }

  /** The frame as a message with its own header carrying `header`'s routing fields (read-only rest). */
  toMessage(header: HeaderView): Message {
    return this.withRouting(header);
  }

  private message(): Message {
    return (this.msg ??= decodeMessage(this.bytes!));
  }

  private withRouting(view: HeaderView): Message {
    const msg = this.message();
    const pub = msg.messageType.value as { header: SLIMHeader };
    const header: SLIMHeader = {
      ...pub.header,
      ttl: view.ttl,
      recvFrom: view.recvFrom,
      forwardTo: view.forwardTo,
      incomingConn: view.incomingConn,
      headerMac: view.headerMac,
    };
    return {
      ...msg,
      messageType: { case: 'publish', value: { ...msg.messageType.value, header } },
    } as Message;
  }
}

/** Checks bytes[start, end) as Publish fields (throws when malformed); whether they hold a session header. */
function publishPartHasSession(bytes: Buffer, start: number, end: number): boolean {
  if (start === end) return false;
  const p = decodePublishPart(bytes, start, end) ?? fromBinary(PublishSchema, bytes.subarray(start, end));
  return p.session !== undefined;
}

export type Inbound = { kind: 'publish'; frame: PublishFrame } | { kind: 'other'; msg: Message };

/** Parses one frame from a link; throws on bytes that are not a Message. */
export function decodeInbound(bytes: Buffer): Inbound {
  const fast = PublishFrame.fromBytes(bytes);
  if (fast) return { kind: 'publish', frame: fast };
  const msg = decodeMessage(bytes);
  if (msg.messageType.case === 'publish' && msg.messageType.value.header) {
    // Keep the decoded header: the forwarder rewrites it in place.
    const frame = PublishFrame.fromMessage(msg);
    if (frame) return { kind: 'publish', frame };
  }
  return { kind: 'other', msg };
}
