// A Publish frame as it crosses the node. Only the SLIMHeader's routing fields change per hop
// (TTL, incoming_conn, recv_from/forward_to, MAC); the rest of the frame passes through as the
// bytes that arrived (wire-splice.ts). Frames from gRPC links are fully decoded once on the way
// in (so the node refuses malformed frames as the reference does); frames from in-process apps
// are encoded once, on the first gRPC hop that needs bytes.
import { decodeMessage, encodeMessage } from '../proto/index.js';
import type { Message, Publish, SLIMHeader } from '../proto/index.js';
import { publishLayout, spliceHeader } from './wire-splice.js';
import type { PublishLayout } from './wire-splice.js';

export class PublishFrame {
  private layout: PublishLayout | undefined | null; // null: not computed yet

  private constructor(
    private readonly msg: Message,
    private readonly pub: Publish,
    private bytes: Uint8Array | undefined,
  ) {
    this.layout = null;
  }

  static fromMessage(msg: Message, bytes?: Uint8Array): PublishFrame | undefined {
    return msg.messageType.case === 'publish'
      ? new PublishFrame(msg, msg.messageType.value, bytes)
      : undefined;
  }

  get header(): SLIMHeader | undefined {
    return this.pub.header;
  }

  get hasSessionHeader(): boolean {
    return this.pub.session !== undefined;
  }

  /** The frame's bytes with the routing fields (and MAC) of `header`. */
  toBytes(header: SLIMHeader): Uint8Array {
    if (this.layout === null) {
      this.bytes ??= encodeMessage(this.msg);
      this.layout = publishLayout(this.bytes);
    }
    return this.layout ? spliceHeader(this.layout, header) : encodeMessage(this.withHeader(header));
  }

  /** The frame as a message with its own copy of `header` (the rest is shared: read-only). */
  toMessage(header: SLIMHeader): Message {
    return this.withHeader({ ...header });
  }

  private withHeader(header: SLIMHeader): Message {
    return { ...this.msg, messageType: { case: 'publish', value: { ...this.pub, header } } };
  }
}

export type Inbound = { kind: 'publish'; frame: PublishFrame } | { kind: 'other'; msg: Message };

/** Parses one frame from a link; throws on bytes that are not a Message. */
export function decodeInbound(bytes: Uint8Array): Inbound {
  const msg = decodeMessage(bytes);
  const frame = PublishFrame.fromMessage(msg, bytes);
  return frame ? { kind: 'publish', frame } : { kind: 'other', msg };
}
