// Session-layer failures, all GatewayErrors with a code upper layers can act on.
import { GatewayError } from '../../util/errors.js';

/**
 * A control request whose retries ran out; `missing` names who never answered. `unverifiedRefusal`:
 * a refusal of this request arrived that did not verify under our trust (docs/security.md,
 * "Refusals"), which usually means the peer and we trust each other's identity no more than it
 * trusts ours, but could be forged, so it could only be reported, never acted on.
 */
export class NoReplyError extends GatewayError {
  constructor(
    what: string,
    readonly missing: string[],
    readonly unverifiedRefusal = false,
  ) {
    super(
      'UNAVAILABLE',
      `${what}: no reply from ${missing.join(', ') || 'the peer'}${hint(what, unverifiedRefusal)}`,
    );
    this.name = 'NoReplyError';
  }
}

/**
 * A peer answered our discovery with a refusal that verified (its token and signature under our
 * trust, its token owner the frame's source, the app we asked): it does not accept our identity.
 * `reason` is the reason class it gave (never token contents).
 */
export class DiscoveryRefusedError extends GatewayError {
  constructor(
    readonly peer: string,
    readonly reason: string,
  ) {
    super(
      'AUTH',
      `discovery: ${peer} does not accept our identity (${reason}): check the shared secret, or` +
        ' slim.jwt and slim.trust, on both sides; the refusing side logs why',
    );
    this.name = 'DiscoveryRefusedError';
  }
}

/**
 * Our gateways answer a refused discovery with a signed refusal (DiscoveryRefusedError above); a
 * reference peer answers nothing, so without a refusal the caller can only name the likely causes;
 * the refusing side logs which (docs/security.md).
 */
function hint(what: string, unverifiedRefusal: boolean): string {
  if (what !== 'discovery') return '';
  if (unverifiedRefusal)
    return (
      ' (a refusal came back that we could not verify: the peer most likely does not accept our' +
      ' identity and we do not accept its own; check the shared secret, or slim.jwt and slim.trust,' +
      ' on both sides; a refusing gateway logs why)'
    );
  return (
    ' (no such service on the node, or a peer that does not accept our identity: check the shared' +
    ' secret, or slim.jwt and slim.trust, on both sides; a refusing gateway logs why)'
  );
}
