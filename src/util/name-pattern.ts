// Name patterns of the access rules (docs/security.md, "Who may call"): `services[].allow` matches
// a caller's verified identity, `tools.allow`/`tools.deny` match MCP tool names. A pattern is a
// `/`-separated list of segments, matched against the whole name, case-sensitively:
//   - `*` inside a segment matches any run of characters (possibly none) except `/`:
//     `acme/clients/*` matches `acme/clients/app` but not `acme/clients/a/b`; `get_*` matches
//     `get_forecast`;
//   - `**` as a whole segment matches any number of whole segments, none included:
//     `acme/**` matches `acme`, `acme/x` and `acme/x/y/z`;
//   - every other character stands for itself (no `?`, no character classes).
// `**` next to other characters in a segment (`a**`) is an error, reported when the pattern is
// compiled (at config load).
import { GatewayError } from './errors.js';

export type NameMatcher = (name: string) => boolean;

/** Why `pattern` is not a valid pattern, or undefined when it is. */
export function patternProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return 'a pattern may not be empty';
  if (/\s/.test(pattern)) return `pattern "${pattern}" contains white space`;
  for (const seg of pattern.split('/')) {
    if (seg.includes('**') && seg !== '**') {
      return `pattern "${pattern}": ** must be a whole segment (between slashes)`;
    }
  }
  return undefined;
}

function escape(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** One pattern as a matcher; throws INVALID_ARGUMENT for an invalid one. */
export function compilePattern(pattern: string): NameMatcher {
  const problem = patternProblem(pattern);
  if (problem) throw new GatewayError('INVALID_ARGUMENT', problem);
  const segs = pattern.split('/');
  let source = '';
  segs.forEach((seg, i) => {
    const last = i === segs.length - 1;
    if (seg === '**') {
      // Any number of whole segments with their separators; the separator after them is optional
      // when none were matched.
      source += last ? (i === 0 ? '.*' : '(?:/.*)?') : i === 0 ? '(?:[^]*/)?' : '(?:/[^]*)?/';
      return;
    }
    const body = seg.split('*').map(escape).join('[^/]*');
    const prevDouble = i > 0 && segs[i - 1] === '**';
    source += i === 0 || prevDouble ? body : `/${body}`;
  });
  const re = new RegExp(`^${source}$`, 'u');
  return (name) => re.test(name);
}

/** True when any of `patterns` matches (compiled once). */
export function compilePatterns(patterns: readonly string[]): NameMatcher {
  const matchers = patterns.map(compilePattern);
  return (name) => matchers.some((m) => m(name));
}
