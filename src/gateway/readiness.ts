// The gateway's readiness (served on /readyz): ready when it is not shutting down, its own link to
// the SLIM node is up, and every service is up with its link up; otherwise one reason per thing
// that is not, in words an operator can act on. Pure.
import type { Readiness } from '../http/edge.js';
import type { Link } from '../slim/dataplane/link.js';
import type { RunningService } from './service-unit.js';
import type { Supervisor } from './supervisor.js';

export interface ReadinessInput {
  readonly closing: boolean;
  /** The gateway's own link; undefined until it connected. */
  readonly link: Link | undefined;
  /** Each service's supervisor, by service name. */
  readonly services: Iterable<readonly [string, Supervisor<RunningService>]>;
}

export function gatewayReadiness(input: ReadinessInput): Readiness {
  const reasons: string[] = [];
  if (input.closing) reasons.push('the gateway is shutting down');
  if (!input.link) reasons.push('not connected to the SLIM node yet');
  else if (input.link.state !== 'ready')
    reasons.push(`not connected to the SLIM node (link ${input.link.state})`);
  for (const [name, sup] of input.services) {
    if (sup.state !== 'up')
      reasons.push(`service ${name} ${sup.state}${sup.lastError ? `: ${sup.lastError}` : ''}`);
    else if (sup.value && sup.value.link.state !== 'ready')
      reasons.push(`service ${name}: not connected to the SLIM node (link ${sup.value.link.state})`);
  }
  return { ready: reasons.length === 0, reasons };
}
