// The HeaderIntegrityAad bytes (docs/sessions-mls.md#headerintegrityaad): the canonical proto3
// encoding of {version: 1, source, destination, identity, session_type, session_message_type,
// session_id, message_id, payload_type} taken from a Publish after its identity is set. Control
// messages sign these bytes (e2e_header_sig); MLS application messages carry them as authenticated
// data. The encoder omits default values, as the reference's prost encoder does, so the bytes match
// exactly. The proto layer's hand-written encoder writes them (what toBinary writes, checked by its
// tests).
import { create, toBinary } from '@bufbuild/protobuf';
import { HeaderIntegrityAadSchema, encodeAad } from '../proto/index.js';
import type { Publish } from '../proto/index.js';

export const AAD_VERSION = 1;

export function buildAad(publish: Publish): Uint8Array {
  const h = publish.header;
  const s = publish.session;
  const content = publish.msg?.contentType;
  const fields = {
    version: AAD_VERSION,
    source: h?.source,
    destination: h?.destination,
    identity: h?.identity ?? '',
    sessionType: s?.sessionType ?? 0,
    sessionMessageType: s?.sessionMessageType ?? 0,
    sessionId: s?.sessionId ?? 0,
    messageId: s?.messageId ?? 0,
    payloadType: content?.case === 'appPayload' ? content.value.payloadType : '',
  };
  return encodeAad(fields) ?? toBinary(HeaderIntegrityAadSchema, create(HeaderIntegrityAadSchema, fields));
}
