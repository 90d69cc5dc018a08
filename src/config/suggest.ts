// "Did you mean": for an unknown key, the known key at the same place in the schema that is
// closest to it (a typo, a wrong case, a missing letter). The keys come from the zod schema
// itself, walked along the problem's path, so the suggestion follows every schema change.
import type { z } from 'zod';
import type { ConfigPath } from './problems.js';

type Def = { type: string; [k: string]: unknown };
const defOf = (s: unknown): Def | undefined => (s as { _zod?: { def?: Def } })?._zod?.def;

/** The schemas a value at `path` may have (several under a union). */
function schemasAt(root: z.ZodType, path: ConfigPath): unknown[] {
  let current: unknown[] = [root];
  const unwrap = (s: unknown): unknown[] => {
    const d = defOf(s);
    if (!d) return [];
    switch (d.type) {
      case 'optional':
      case 'default':
      case 'prefault':
      case 'nullable':
      case 'readonly':
      case 'catch':
        return unwrap(d['innerType']);
      case 'pipe':
        return unwrap(d['in']);
      case 'union':
        return (d['options'] as unknown[]).flatMap(unwrap);
      default:
        return [s];
    }
  };
  current = current.flatMap(unwrap);
  for (const step of path) {
    current = current
      .flatMap((s) => {
        const d = defOf(s)!;
        if (typeof step === 'number') return d.type === 'array' ? [d['element']] : [];
        if (d.type === 'object') {
          const shape = d['shape'] as Record<string, unknown>;
          return step in shape ? [shape[step]] : [];
        }
        return d.type === 'record' ? [d['valueType']] : [];
      })
      .flatMap(unwrap);
  }
  return current;
}

/** The keys the schema knows at `path` (the mapping that holds the unknown key). */
export function knownKeysAt(root: z.ZodType, path: ConfigPath): string[] {
  const keys = new Set<string>();
  for (const s of schemasAt(root, path)) {
    const d = defOf(s);
    if (d?.type === 'object') for (const k of Object.keys(d['shape'] as object)) keys.add(k);
  }
  return [...keys];
}

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The known key `key` was most likely meant to be, if one is close enough. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: { key: string; d: number } | undefined;
  for (const k of known) {
    const d = k.toLowerCase() === lower ? 0 : distance(lower, k.toLowerCase());
    if (!best || d < best.d) best = { key: k, d };
  }
  // A third of the key's length (at least 1, at most 3) covers typos without wild guesses.
  const limit = Math.min(3, Math.max(1, Math.floor(key.length / 3)));
  return best && best.d <= limit ? best.key : undefined;
}
