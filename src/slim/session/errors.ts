// Session-layer failures, all GatewayErrors with a code upper layers can act on.
import { GatewayError } from '../../util/errors.js';

/** A control request whose retries ran out; `missing` names who never answered. */
export class NoReplyError extends GatewayError {
  constructor(
    what: string,
    readonly missing: string[],
  ) {
    super('UNAVAILABLE', `${what}: no reply from ${missing.join(', ') || 'the peer'}${hint(what)}`);
    this.name = 'NoReplyError';
  }
}

/**
 * A refused request gets no answer on the wire (the reference drops it too), so the caller can
 * only name the likely causes; the refusing side logs which (docs/security.md).
 */
function hint(what: string): string {
  return what === 'discovery'
    ? ' (no such service on the node, or a peer that does not accept our identity: check the shared' +
        ' secret, or slim.jwt and slim.trust, on both sides; a refusing gateway logs why)'
    : '';
}
