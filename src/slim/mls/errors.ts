// Maps whatever an MLS operation threw to one GatewayError: our own typed errors pass through, a
// credential the authentication service refused becomes AUTH (with its reason), anything ts-mls or
// the crypto threw becomes MLS. Messages name the operation, never payloads or keys.
import { GatewayError, describeError } from '../../util/errors.js';
import type { MembershipAuthService } from './credentials.js';

export function toGatewayError(err: unknown, operation: string, auth?: MembershipAuthService): GatewayError {
  const rejection = auth?.lastRejection;
  if (err instanceof GatewayError) {
    // A refusal raised by our own code after the service said no: add the service's reason.
    if (err.code === 'AUTH' && rejection && rejection !== err) {
      return new GatewayError('AUTH', `${err.message}: ${rejection.message}`, { cause: err });
    }
    return err;
  }
  if (rejection) {
    return new GatewayError('AUTH', `${operation}: ${rejection.message}`, { cause: err });
  }
  return new GatewayError('MLS', `${operation} failed: ${describeError(err)}`, { cause: err });
}
