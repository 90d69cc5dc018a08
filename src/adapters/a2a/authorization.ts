// The local client's Authorization header across the A2A SLIMRPC binding (docs/a2a-over-slim.md,
// "Authorization"). SLIMRPC metadata is cleartext on the wire, so the header travels inside the
// MLS-encrypted request: as one extra length-delimited field, number AUTHORIZATION_FIELD, appended
// to the encoded request (protobuf readers merge appended fields and skip the ones they do not
// know, so any peer decodes the request as before). The serving gateway reads it and passes it to its agent only when the
// service has `forwardAuthorization`; the agent's JSON never contains it.
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

/** The highest field number protobuf allows: no A2A message will ever define it. */
export const AUTHORIZATION_FIELD = 536_870_911;

/** The request bytes with the Authorization header appended (unchanged without one). */
export function withAuthorization(request: Uint8Array, authorization: string | undefined): Uint8Array {
  if (authorization === undefined) return request;
  const field = new BinaryWriter()
    .tag(AUTHORIZATION_FIELD, WireType.LengthDelimited)
    .string(authorization)
    .finish();
  const out = new Uint8Array(request.byteLength + field.byteLength);
  out.set(request, 0);
  out.set(field, request.byteLength);
  return out;
}

/**
 * The Authorization header carried in a request, if any (the last one, as protobuf's last value
 * wins). Malformed bytes yield undefined: decoding the request reports them.
 */
export function authorizationOf(request: Uint8Array): string | undefined {
  const reader = new BinaryReader(request);
  let found: string | undefined;
  try {
    while (reader.pos < reader.len) {
      const [no, type] = reader.tag();
      if (no === AUTHORIZATION_FIELD && type === WireType.LengthDelimited) found = reader.string();
      else reader.skip(type, no);
    }
  } catch {
    return undefined;
  }
  return found;
}
