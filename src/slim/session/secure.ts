// The last step out and the first step in (spec/slim-session-mls.md §1.3, §4): every outbound
// frame gets a fresh identity token; control frames are signed over their HeaderIntegrityAad;
// data frames (MSG, RTX_REPLY) of an MLS session are encrypted with that AAD bound in. Inbound
// control frames must carry a valid token and signature; inbound MLS data must decrypt and, per
// the session's header_integrity_validation_percent, its bound AAD must equal the AAD rebuilt
// from the header as received (a header changed in transit is dropped).
import { randomInt } from 'node:crypto';
import { buildAad, signControl, verifyControl } from '../auth/index.js';
import type { IdentityProvider, IdentityVerifier, TokenClaims } from '../auth/index.js';
import type { MlsGroup } from '../mls/types.js';
import type { Message } from '../proto/index.js';
import { GatewayError } from '../../util/errors.js';
import { MsgType, isCommandType, publishOf } from './frames.js';
import type { Inbound } from './frames.js';

/** Sets identity (and signature or ciphertext) on a frame about to be sent. */
export async function sealFrame(
  msg: Message,
  identity: IdentityProvider,
  group: MlsGroup | undefined,
): Promise<void> {
  const p = publishOf(msg);
  const type = p.session!.sessionMessageType;
  const token = identity.token();
  if (isCommandType(type)) {
    signControl(p, token, identity.signingKey);
    return;
  }
  p.header!.identity = token;
  p.header!.e2eHeaderSig = undefined;
  if (!group || (type !== MsgType.MSG && type !== MsgType.RTX_REPLY)) return;
  const content = p.msg?.contentType;
  if (content?.case !== 'appPayload') throw new GatewayError('INTERNAL', 'data frame without payload');
  content.value.blob = await group.encrypt(content.value.blob, buildAad(p));
}

/** Token and signature of a control frame; throws AUTH. */
export function verifyControlFrame(frame: Inbound, verifier: IdentityVerifier): TokenClaims {
  return verifyControl(frame.publish, verifier);
}

/**
 * Decrypts an MLS data frame and checks its header against the bound AAD; returns the plaintext
 * and the MLS sender's token id. Throws MLS (cannot decrypt) or AUTH (header mismatch).
 */
export async function openData(
  frame: Inbound,
  group: MlsGroup,
  headerCheckPercent: number,
): Promise<{ plaintext: Uint8Array; sender: string }> {
  const blob = frame.app?.blob;
  if (!blob) throw new GatewayError('PROTOCOL', 'data frame without payload');
  const d = await group.decrypt(blob);
  if (shouldCheck(headerCheckPercent) && !equalBytes(d.authenticatedData, buildAad(frame.publish))) {
    throw new GatewayError('AUTH', 'header integrity check failed: the header changed after encryption');
  }
  return { plaintext: d.plaintext, sender: d.senderIdentity };
}

function shouldCheck(percent: number): boolean {
  if (percent >= 100) return true;
  return percent > 0 && randomInt(100) < percent;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
