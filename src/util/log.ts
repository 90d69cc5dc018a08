// Logging seam: components receive a pino logger (or a child of one) by injection and make
// `logger.child({ component })`. Never log payloads, tokens or key material: log ids, sizes, types.
import { pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger } from 'pino';

/** A logger that drops everything; the default for library objects built without one. */
export const silentLogger: Logger = pino({ level: 'silent' });

/** Paths whose values are always redacted, should an object carrying them ever be logged. */
export const REDACT_PATHS = [
  'identity',
  'token',
  'sharedSecret',
  'secret',
  'authorization',
  '*.identity',
  '*.token',
  '*.sharedSecret',
  '*.authorization',
  'headers.authorization',
];

export function childLogger(parent: Logger | undefined, component: string): Logger {
  return (parent ?? silentLogger).child({ component });
}
