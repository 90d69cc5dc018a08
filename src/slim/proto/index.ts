// The SLIM data-plane codec: generated message types (./gen, never hand-edited) plus the two
// entry points every layer uses to turn frames into bytes and back. Layout: spec/slim-dataplane.md §2.
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { MessageSchema } from './gen/slim/dataplane/v1/data_plane_pb.js';
import type { Message } from './gen/slim/dataplane/v1/data_plane_pb.js';

export * from './gen/slim/dataplane/v1/data_plane_pb.js';

/** Serialises one data-plane frame. */
export function encodeMessage(msg: Message): Uint8Array {
  return toBinary(MessageSchema, msg);
}

/** Parses one data-plane frame; throws on malformed bytes (callers treat that as a protocol error). */
export function decodeMessage(bytes: Uint8Array): Message {
  return fromBinary(MessageSchema, bytes);
}

/** Builds a frame from a partial description (defaults filled in). */
export function newMessage(init: MessageInitShape<typeof MessageSchema>): Message {
  return create(MessageSchema, init);
}
