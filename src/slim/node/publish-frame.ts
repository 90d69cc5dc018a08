// A Publish frame as it crosses the node. Only the SLIMHeader changes per hop (TTL, routing fields,
// MAC); the session header, payload and metadata pass through untouched. `decodeInbound` parses a
// frame from a gRPC link; `fromMessage` wraps one from an in-process app. `toBytes` and `toMessage`
// build the copy for one outgoing link with that link's header.
import { decodeMessage, encodeMessage } from '../proto/index.js';
import type { Message, Publish, SLIMHeader } from '../proto/index.js';

export class PublishFrame {
  private constructor(
    private readonly msg: Message,
    private readonly pub: Publish,
  ) {}

  static fromMessage(msg: Message): PublishFrame | undefined {
    return msg.messageType.case === 'publish' ? new PublishFrame(msg, msg.messageType.value) : undefined;
  }

  get header(): SLIMHeader | undefined {
    return this.pub.header;
  }

  get hasSessionHeader(): boolean {
    return this.pub.session !== undefined;
  }

  /** The frame's bytes with `header` in place of the original one. */
  toBytes(header: SLIMHeader): Uint8Array {
    return encodeMessage(this.withHeader(header));
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
  const frame = PublishFrame.fromMessage(msg);
  return frame ? { kind: 'publish', frame } : { kind: 'other', msg };
}
