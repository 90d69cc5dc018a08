// The SLIM data-plane codec: generated message types (./gen, never hand-edited) plus the two
// entry points every layer uses to turn frames into bytes and back. Layout:
// docs/dataplane.md#messages-and-field-numbers. Publish frames (the traffic) take hand-written fast
// paths (publish-encode.ts, publish-decode.ts) that give exactly what protobuf-es gives; everything
// else, and anything unusual, goes through protobuf-es itself.
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { MessageSchema } from './gen/slim/dataplane/v1/data_plane_pb.js';
import type { Message } from './gen/slim/dataplane/v1/data_plane_pb.js';
import { decodePublishMessage } from './publish-decode.js';
import { encodePublishMessage } from './publish-encode.js';

export * from './gen/slim/dataplane/v1/data_plane_pb.js';
export { encodeAad } from './publish-encode.js';
export { decodeMessagePart, decodePublishPart } from './publish-decode.js';
export type { AadFields } from './publish-encode.js';

/** Serialises one data-plane frame. */
export function encodeMessage(msg: Message): Uint8Array {
  return encodePublishMessage(msg) ?? toBinary(MessageSchema, msg);
}

/** Parses one data-plane frame; throws on malformed bytes (callers treat that as a protocol error). */
export function decodeMessage(bytes: Uint8Array): Message {
  return decodePublishMessage(bytes) ?? fromBinary(MessageSchema, bytes);
}

/** Builds a frame from a partial description (defaults filled in). */
export function newMessage(init: MessageInitShape<typeof MessageSchema>): Message {
  return create(MessageSchema, init);
}
