// Configuration problems: every mistake in a config file is reported at once, each with its path
// in the file (`routes[1].path`) and, when the YAML source is known, its line and column. A config
// that fails to load throws ConfigError carrying the whole list.
import { GatewayError } from '../util/errors.js';

/** A path into the configuration document: keys and sequence indices. */
export type ConfigPath = readonly (string | number)[];

export interface ConfigProblem {
  /** `slim.sharedSecret`, `routes[1].path`; '' for the document itself. */
  readonly path: string;
  readonly message: string;
  /** 1-based position in the YAML source, when known. */
  readonly line?: number;
  readonly column?: number;
}

/** `routes[1].mcp.group[0]` from ['routes', 1, 'mcp', 'group', 0]. */
export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** Problems in file order (line, then column), those without a position last. */
export function sortProblems(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort(
    (a, b) =>
      (a.line ?? Infinity) - (b.line ?? Infinity) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      a.path.localeCompare(b.path),
  );
}

/** One line per problem: `file:line:col  path: message` (clickable in most terminals and editors). */
export function formatProblem(problem: ConfigProblem, file?: string): string {
  const where = [file, problem.line, problem.column].filter((p) => p !== undefined).join(':');
  const what = problem.path ? `${problem.path}: ${problem.message}` : problem.message;
  return where ? `${where}  ${what}` : what;
}

export class ConfigError extends GatewayError {
  readonly problems: readonly ConfigProblem[];
  readonly file: string | undefined;

  constructor(problems: readonly ConfigProblem[], file?: string) {
    const sorted = sortProblems(problems);
    const head = `${file ?? 'configuration'}: ${sorted.length} problem${sorted.length === 1 ? '' : 's'}`;
    super('CONFIG', [head, ...sorted.map((p) => `  ${formatProblem(p, file)}`)].join('\n'));
    this.name = 'ConfigError';
    this.problems = Object.freeze(sorted);
    this.file = file;
  }
}
