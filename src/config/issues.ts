// Schema failures in the gateway's words: one table from zod issue codes to short messages that
// name what was expected, never echo a value (a secret may sit in any field), and split
// "unknown keys" into one problem per key so each points at its own line, with the known key it was
// probably meant to be.
import type { z } from 'zod';
import type { ConfigPath } from './problems.js';
import type { RawProblem } from './cross-checks.js';
import { configSchema } from './schema.js';
import { closestKey, knownKeysAt } from './suggest.js';

type Issue = z.core.$ZodIssue;

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  array: 'a list',
  record: 'a mapping (key: value)',
};

/** The raw value at `path` (to tell "missing" from "wrong type"). */
function valueAt(raw: unknown, path: ConfigPath): unknown {
  let v = raw;
  for (const p of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

export function issuesToProblems(
  issues: readonly Issue[],
  raw: unknown,
  prefix: ConfigPath = [],
): RawProblem[] {
  const out: RawProblem[] = [];
  for (const issue of issues) {
    const path: ConfigPath = [...prefix, ...(issue.path as (string | number)[])];
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          const meant = closestKey(key, knownKeysAt(configSchema, path));
          out.push({
            path: [...path, key],
            message: `unknown key "${key}"${meant ? ` (did you mean "${meant}"?)` : ''}`,
          });
        }
        break;
      case 'invalid_type': {
        const missing = valueAt(raw, path) === undefined;
        const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
        out.push({ path, message: missing ? 'is required' : `must be ${expected}` });
        break;
      }
      case 'invalid_value':
        out.push({ path, message: `must be one of ${issue.values.map((v) => String(v)).join(', ')}` });
        break;
      case 'too_small':
      case 'too_big': {
        const small = issue.code === 'too_small';
        const bound = small
          ? (issue as { minimum: unknown }).minimum
          : (issue as { maximum: unknown }).maximum;
        if (issue.message && !issue.message.startsWith('Too ')) out.push({ path, message: issue.message });
        else if (issue.origin === 'array')
          out.push({ path, message: `needs ${small ? 'at least' : 'at most'} ${String(bound)} item(s)` });
        else if (issue.origin === 'string')
          out.push({
            path,
            message: `must be ${small ? 'at least' : 'at most'} ${String(bound)} characters`,
          });
        else out.push({ path, message: `must be ${small ? '>=' : '<='} ${String(bound)}` });
        break;
      }
      case 'invalid_union': {
        // A branch that failed only on its own type did not match at all; if exactly one branch
        // matched the type, its problems are the real ones.
        const relevant = issue.errors.filter(
          (branch) => !branch.every((i) => i.code === 'invalid_type' && i.path.length === 0),
        );
        if (relevant.length === 1) out.push(...issuesToProblems(relevant[0]!, raw, path));
        else out.push({ path, message: issue.message });
        break;
      }
      default:
        out.push({ path, message: issue.message });
    }
  }
  return out;
}
