// The YAML side of configuration: parses the source into a document that remembers where every
// node came from, so each problem found later (expansion, schema, cross-checks) can name its line
// and column. Duplicate keys and syntax errors are problems like any other.
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import type { ConfigPath, ConfigProblem } from './problems.js';

export interface YamlSource {
  readonly doc: Document.Parsed;
  /** Syntax errors (when there are any, nothing else is checked). */
  readonly problems: ConfigProblem[];
  /** Line and column of the node at `path`, or of its nearest ancestor present in the file. */
  locate(path: ConfigPath): { line?: number; column?: number };
  /** Line and column of the key `key` inside the mapping at `path`. */
  locateKey(path: ConfigPath, key: string): { line?: number; column?: number };
}

export function parseYaml(text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const pos = (offset: number | undefined) => {
    if (offset === undefined) return {};
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const problems: ConfigProblem[] = [...doc.errors, ...doc.warnings].map((e) => ({
    path: '',
    // The library appends " at line L, column C:" and a source excerpt; the position is ours.
    message: (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, ''),
    line: e.linePos?.[0].line,
    column: e.linePos?.[0].col,
  }));

  const nodeAt = (path: ConfigPath): Node | undefined => {
    let node: unknown = doc.contents;
    let found: Node | undefined = (doc.contents as Node | null) ?? undefined;
    for (const part of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === part);
        node = pair?.value;
      } else if (isSeq(node) && typeof part === 'number') {
        node = node.items[part];
      } else {
        node = undefined;
      }
      if (!node) break;
      found = node as Node;
    }
    return found;
  };

  return {
    doc,
    problems,
    locate: (path) => pos(nodeAt(path)?.range?.[0]),
    locateKey: (path, key) => {
      const map = nodeAt(path);
      if (isMap(map)) {
        const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
        if (pair && isScalar(pair.key)) return pos(pair.key.range?.[0]);
      }
      return pos(map?.range?.[0]);
    },
  };
}
