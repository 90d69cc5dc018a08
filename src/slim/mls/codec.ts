// MLSMessage framing (RFC 9420 §6): every MLS blob SLIM carries is one complete MLSMessage with
// no prefix (docs/sessions-mls.md#mls-framing). Decoding is strict: the bytes
// must hold exactly one message of an expected wire format, anything else is an MLS error.
import { decodeMlsMessage, encodeMlsMessage } from 'ts-mls';
import type {
  KeyPackage,
  MLSMessage,
  MlsKeyPackage,
  MlsMessageProtocol,
  MlsPrivateMessage,
  MlsPublicMessage,
  MlsWelcome,
  PrivateMessage,
  Welcome,
} from 'ts-mls';
import { GatewayError } from '../../util/errors.js';

type WireFormat = MLSMessage['wireformat'];
type ByFormat = {
  mls_key_package: MlsMessageProtocol & MlsKeyPackage;
  mls_welcome: MlsMessageProtocol & MlsWelcome;
  mls_private_message: MlsMessageProtocol & MlsPrivateMessage;
  mls_public_message: MlsMessageProtocol & MlsPublicMessage;
  mls_group_info: Extract<MLSMessage, { wireformat: 'mls_group_info' }>;
};

/** Decodes one MLSMessage of any wire format; MLS error on garbage or trailing bytes. */
export function decodeAny(bytes: Uint8Array): MLSMessage {
  let decoded: [MLSMessage, number] | undefined;
  try {
    decoded = decodeMlsMessage(bytes, 0);
  } catch (err) {
    throw new GatewayError('MLS', 'malformed MLS message', { cause: err });
  }
  if (!decoded) throw new GatewayError('MLS', 'malformed MLS message');
  const [msg, used] = decoded;
  if (used !== bytes.length)
    throw new GatewayError('MLS', `MLS message has ${bytes.length - used} trailing bytes`);
  if (msg.version !== 'mls10') throw new GatewayError('MLS', 'unsupported MLS protocol version');
  return msg;
}

export function decodeAs<F extends WireFormat>(bytes: Uint8Array, ...formats: F[]): ByFormat[F] {
  const msg = decodeAny(bytes);
  if (!(formats as WireFormat[]).includes(msg.wireformat)) {
    throw new GatewayError('MLS', `expected ${formats.join(' or ')}, got ${msg.wireformat}`);
  }
  return msg as ByFormat[F];
}

export function encodeKeyPackage(keyPackage: KeyPackage): Uint8Array {
  return encodeMlsMessage({ version: 'mls10', wireformat: 'mls_key_package', keyPackage });
}

export function encodeWelcome(welcome: Welcome): Uint8Array {
  return encodeMlsMessage({ version: 'mls10', wireformat: 'mls_welcome', welcome });
}

export function encodePrivateMessage(privateMessage: PrivateMessage): Uint8Array {
  return encodeMlsMessage({ version: 'mls10', wireformat: 'mls_private_message', privateMessage });
}

export function encodeMessage(msg: MLSMessage): Uint8Array {
  return encodeMlsMessage(msg);
}
