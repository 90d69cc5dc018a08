// `${VAR}` and `${VAR:-default}` in configuration values. References are swapped for inert
// placeholders before the YAML is parsed, then expanded in the parsed scalars: an environment value
// can never change the document's structure (a `:` or `#` in a secret stays data), references work
// inside flow collections (`bearerTokens: [${TOKEN}]`), and each problem knows its path.
// Grammar: NAME is [A-Za-z_][A-Za-z0-9_]*; `${NAME:-x}` uses x when NAME is unset or empty (as in
// the shell); `${env:NAME}` is accepted too (the reference SLIM node's configuration syntax);
// `$${...}` is the literal text `${...}`. A plain (unquoted) scalar that is exactly one reference
// takes the type of its value, so `mls: ${MLS:-true}` is a boolean and `port: ${P}` a number.
import { Scalar, isMap, isScalar, isSeq } from 'yaml';
import type { Document, Node } from 'yaml';
import { formatPath } from './problems.js';
import type { ConfigPath, ConfigProblem } from './problems.js';

interface Reference {
  /** The text as written, e.g. `${TOKEN:-x}`. */
  readonly raw: string;
  /** Undefined for the `$${...}` escape (which stands for `raw` without its first `$`). */
  readonly name?: string;
  readonly fallback?: string;
}

export interface Tokenized {
  /** The source with every reference replaced by a placeholder (same line structure). */
  readonly text: string;
  readonly refs: readonly Reference[];
  readonly pattern: RegExp;
}

const REF = /\$\$\{[^}\n]*\}?|\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}\n]*))?\}/g;

/** Replaces references by placeholders that are valid plain YAML in every context. */
export function tokenize(source: string): Tokenized {
  let n = 0;
  let prefix = '__slimgw_ref_';
  while (source.includes(prefix)) prefix = `__slimgw_ref${n++}_`;
  const refs: Reference[] = [];
  const text = source.replace(REF, (raw, name: string | undefined, fallback: string | undefined) => {
    refs.push(name === undefined ? { raw } : { raw, name, fallback });
    return `${prefix}${refs.length - 1}__`;
  });
  return { text, refs, pattern: new RegExp(`${prefix}(\\d+)__`, 'g') };
}

/** A variable whose default was used: the CLI warns when that is the shared secret. */
export interface DefaultedVariable {
  readonly variable: string;
  readonly path: string;
}

export interface ExpandResult {
  readonly problems: ConfigProblem[];
  readonly defaulted: DefaultedVariable[];
  /** Every variable a value was read from (set or defaulted), to name it in hints. */
  readonly variables: DefaultedVariable[];
}

/**
 * Expands the placeholders of `tok` in every scalar of `doc`, in place. `locate` gives the
 * position of a path for problems. Values are never copied into problem messages.
 */
export function expandDocument(
  doc: Document.Parsed,
  tok: Tokenized,
  env: Readonly<Record<string, string | undefined>>,
  locate: (path: ConfigPath) => { line?: number; column?: number },
): ExpandResult {
  const problems: ConfigProblem[] = [];
  const defaulted: DefaultedVariable[] = [];
  const variables: DefaultedVariable[] = [];
  const problem = (path: ConfigPath, message: string) =>
    problems.push({ path: formatPath(path), message, ...locate(path) });
  const restore = (text: string) => text.replace(tok.pattern, (_m, i: string) => tok.refs[Number(i)]!.raw);

  const expandScalar = (node: Scalar, path: ConfigPath) => {
    const text = node.value as string;
    tok.pattern.lastIndex = 0;
    if (!tok.pattern.test(text)) {
      if (text.includes('${'))
        problem(path, 'malformed variable reference (use ${NAME} or ${NAME:-default})');
      return;
    }
    let whole: Reference | undefined;
    const out = text.replace(tok.pattern, (m, i: string) => {
      const ref = tok.refs[Number(i)]!;
      if (m === text) whole = ref;
      if (ref.name === undefined) return ref.raw.slice(1);
      const value = env[ref.name];
      variables.push({ variable: ref.name, path: formatPath(path) });
      if (ref.fallback !== undefined && (value === undefined || value === '')) {
        defaulted.push({ variable: ref.name, path: formatPath(path) });
        return ref.fallback;
      }
      if (value === undefined) {
        problem(path, `environment variable ${ref.name} is not set (${ref.raw} has no default)`);
        return '';
      }
      return value;
    });
    node.value = whole?.name !== undefined && node.type === Scalar.PLAIN ? typed(out) : out;
  };

  const walk = (node: Node | null | undefined, path: ConfigPath): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        let key: string | number = isScalar(pair.key) ? String(pair.key.value) : '?';
        if (isScalar(pair.key) && typeof pair.key.value === 'string') {
          tok.pattern.lastIndex = 0;
          if (tok.pattern.test(pair.key.value)) {
            key = restore(pair.key.value);
            pair.key.value = key;
            problem([...path, key], 'variables are not expanded in keys');
          }
        }
        walk(pair.value as Node | null, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item as Node, [...path, i]));
    } else if (isScalar(node) && typeof node.value === 'string') {
      expandScalar(node, path);
    }
  };
  walk(doc.contents as Node | null, []);
  return { problems, defaulted, variables };
}

/** The value of an unquoted whole-scalar reference: booleans and numbers keep their type. */
function typed(value: string): string | number | boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(value)) return Number(value);
  return value;
}
