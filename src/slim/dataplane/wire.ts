// Wire constants and header helpers shared by the link (client) and the node (server):
// the version string the reference 2.2.0 core puts on the wire, the default TTL, and the rules
// for which SLIMHeader fields a sender may set (docs/dataplane.md#link-negotiation, #subscriptions,
// #publish).
import type { Message, SLIMHeader } from '../proto/index.js';
import { GatewayError } from '../../util/errors.js';

/** What the reference core 2.2.0 sends as LinkNegotiationPayload.slim_version and SLIMHeader.version. */
export const SLIM_VERSION = '2.2.0';

/** The reference's DEFAULT_TTL: hops a frame may take before a node drops it. */
export const DEFAULT_TTL = 8;

/** gRPC method every SLIM link uses: one bidirectional stream per link. */
export const OPEN_CHANNEL_PATH = '/dataplane.proto.v1.DataPlaneService/OpenChannel';

/** The reference node's message-size limit (tonic default), also ours. */
export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;

/**
 * Frames a gRPC stream may buffer before its writer counts as congested. grpc-js streams signal
 * backpressure after 16 frames (objectMode high-water mark); measured, waiting that early halves
 * throughput through a node, so links and the node wait only past this many (then until drained).
 */
export const STREAM_HIGH_WATER_FRAMES = 256;

/** The SLIMHeader of a Publish, Subscribe or Unsubscribe frame (others have none). */
export function headerOf(msg: Message): SLIMHeader | undefined {
  switch (msg.messageType.case) {
    case 'publish':
    case 'subscribe':
    case 'unsubscribe':
      return msg.messageType.value.header;
    default:
      return undefined;
  }
}

/**
 * Makes a header fit to leave an edge client: the routing fields only nodes may set are cleared
 * (a node would otherwise honour them, docs/dataplane.md#node-routing), any stale MAC is removed,
 * and an unset version or TTL gets the reference's value. Mutates `header`.
 */
export function prepareClientHeader(header: SLIMHeader): void {
  // Assign only what is set: adding properties to a header object costs more than checking.
  if (header.recvFrom !== undefined) header.recvFrom = undefined;
  if (header.forwardTo !== undefined) header.forwardTo = undefined;
  if (header.incomingConn !== undefined) header.incomingConn = undefined;
  if (header.headerMac !== undefined) header.headerMac = undefined;
  if (header.version === '') header.version = SLIM_VERSION;
  if (header.ttl === 0) header.ttl = DEFAULT_TTL;
}

/**
 * A copy of an app's Publish frame, fit to leave it (prepareClientHeader on a copy of the header;
 * the rest is shared, and the caller's frame stays as it was). INVALID_ARGUMENT for anything
 * that is not a Publish with a header.
 */
export function clientPublishCopy(msg: Message): Message {
  if (msg.messageType.case !== 'publish' || !msg.messageType.value.header) {
    throw new GatewayError('INVALID_ARGUMENT', 'publish() takes a Publish frame with a header');
  }
  const pub = msg.messageType.value;
  const header = { ...pub.header! };
  prepareClientHeader(header);
  return { ...msg, messageType: { case: 'publish', value: { ...pub, header } } };
}
