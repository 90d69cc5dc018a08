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

/**
 * pino `onChild` hook: pino appends a child's bindings to its parent's, so a child that binds a key
 * its parent already bound (a `component` inside another component) would print that key twice
 * with different values. Here the child's value replaces the parent's, in the parent's position.
 */
export function replaceRepeatedBindings(child: Logger): void {
  const sym = pino.symbols.chindingsSym;
  const holder = child as unknown as Record<symbol, unknown>;
  const text = holder[sym];
  if (typeof text !== 'string' || !text.startsWith(',')) return;
  let bound: Record<string, unknown>;
  try {
    bound = JSON.parse(`{${text.slice(1)}}`) as Record<string, unknown>;
  } catch {
    return;
  }
  const rebuilt = Object.entries(bound)
    .map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`)
    .join('');
  if (rebuilt.length < text.length) holder[sym] = rebuilt;
}

export function childLogger(parent: Logger | undefined, component: string): Logger {
  return (parent ?? silentLogger).child({ component });
}
