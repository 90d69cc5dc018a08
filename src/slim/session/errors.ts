// Session-layer failures, all GatewayErrors with a code upper layers can act on.
import { GatewayError } from '../../util/errors.js';

/** A control request whose retries ran out; `missing` names who never answered. */
export class NoReplyError extends GatewayError {
  constructor(
    what: string,
    readonly missing: string[],
  ) {
    super('UNAVAILABLE', `${what}: no reply from ${missing.join(', ') || 'the peer'}`);
    this.name = 'NoReplyError';
  }
}
