// The layer rules of ARCHITECTURE.md, re-derived from the source on every run: a broken layer or a
// circular import fails CI, not a review. What it holds the code to:
//   - src/slim/** never imports the adapters, the gateway, the HTTP edge, the config, the CLI,
//     express, or the MCP and A2A SDKs;
//   - the adapters reach the SLIM stack only through the SLIMRPC public surface
//     (src/slim/rpc/index.ts; the auth surface src/slim/auth/index.ts for types), never the data
//     plane, sessions, MLS or node internals;
//   - nothing that ships (src, examples) imports test or benchmark code;
//   - each library lives in its own layer, and there are no circular imports;
//   - the session's pure state machines (src/slim/session/state/) do no I/O: they import no data
//     plane, node, link or logger, and run only code from their own folder and the constants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO_ROOT } from '../support/paths.js';

const SRC = join(REPO_ROOT, 'src');
const EXAMPLES = join(REPO_ROOT, 'examples');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

interface Import {
  from: string; // repo-relative importing file
  spec: string; // the module specifier
  target?: string; // repo-relative resolved file, for relative imports
  typeOnly: boolean;
}

const IMPORT_RE = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
const DYNAMIC_RE = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const from = relative(REPO_ROOT, file);
  const out: Import[] = [];
  const add = (spec: string, typeOnly: boolean) => {
    const imp: Import = { from, spec, typeOnly };
    if (spec.startsWith('.'))
      imp.target = relative(REPO_ROOT, resolve(dirname(file), spec).replace(/\.js$/, '.ts'));
    out.push(imp);
  };
  for (const m of text.matchAll(IMPORT_RE)) add(m[3]!, Boolean(m[2]));
  for (const m of text.matchAll(DYNAMIC_RE)) add(m[1]!, false);
  return out;
}

/** Layer of a repo-relative src path, lowest first. */
const LAYERS: [string, RegExp][] = [
  ['util', /^src\/util\//],
  ['proto', /^src\/slim\/proto\//],
  ['dataplane', /^src\/slim\/dataplane\//],
  ['node', /^src\/slim\/node\//],
  ['auth', /^src\/slim\/auth\//],
  ['mls', /^src\/slim\/mls\//],
  ['session', /^src\/slim\/session\//],
  ['rpc', /^src\/slim\/rpc\//],
  ['slim', /^src\/slim\/[^/]+\.ts$/],
  ['telemetry', /^src\/telemetry\//],
  ['adapters', /^src\/adapters\//],
  ['config', /^src\/config\//],
  ['gateway', /^src\/(gateway|http)[/.]/],
  ['cli', /^src\/cli\//],
];

/** Which layers each layer may import (besides itself). */
const ALLOWED: Record<string, string[]> = {
  util: [],
  proto: ['util'],
  dataplane: ['util', 'proto'],
  node: ['util', 'proto', 'dataplane'],
  auth: ['util', 'proto', 'dataplane'],
  mls: ['util', 'proto', 'dataplane', 'auth'],
  session: ['util', 'proto', 'dataplane', 'auth', 'mls'],
  rpc: ['util', 'proto', 'dataplane', 'session'],
  slim: ['util', 'proto', 'dataplane', 'node', 'auth', 'mls', 'session', 'rpc'],
  telemetry: ['util'],
  // Through the public surfaces only (see the test below).
  adapters: ['util', 'rpc', 'auth', 'telemetry'],
  // auth: `check` reads JWT key and token files with the parsers the gateway uses.
  config: ['util', 'dataplane', 'auth'],
  gateway: [
    'util',
    'proto',
    'dataplane',
    'node',
    'auth',
    'mls',
    'session',
    'rpc',
    'slim',
    'adapters',
    'config',
    'telemetry',
  ],
  cli: [
    'util',
    'proto',
    'dataplane',
    'node',
    'auth',
    'mls',
    'session',
    'rpc',
    'slim',
    'adapters',
    'config',
    'gateway',
    'telemetry',
  ],
};

/** Third-party packages that may appear only in the named layers (ARCHITECTURE.md#layers). */
const PACKAGE_HOMES: [RegExp, string[]][] = [
  [/^@grpc\/grpc-js$/, ['dataplane', 'node']],
  [/^ts-mls(\/|$)/, ['mls']],
  [/^@modelcontextprotocol\//, ['adapters']],
  [/^@a2a-js\//, ['adapters']],
  [/^express(\/|$)/, ['adapters', 'gateway']],
  [/^@agntcy\//, []],
  [/^@opentelemetry\//, ['telemetry']],
  [/^prom-client$/, ['util']],
  [/^eventsource-parser$/, ['adapters']],
];

function layerOf(path: string): string | undefined {
  return LAYERS.find(([, re]) => re.test(path))?.[0];
}

const files = sourceFiles(SRC).filter((f) => !f.includes('/gen/'));
const all = files.flatMap(importsOf);

test('every source file belongs to a layer', () => {
  const orphans = files.map((f) => relative(REPO_ROOT, f)).filter((f) => !layerOf(f));
  assert.deepEqual(orphans, []);
});

test('imports point down the layers only', () => {
  const bad: string[] = [];
  for (const imp of all) {
    if (!imp.target) continue;
    const a = layerOf(imp.from)!;
    const b = layerOf(imp.target);
    if (!b) continue;
    if (a !== b && !ALLOWED[a]!.includes(b)) bad.push(`${imp.from} (${a}) -> ${imp.target} (${b})`);
  }
  assert.deepEqual(bad, []);
});

test('each library lives in its own layer', () => {
  const bad: string[] = [];
  for (const imp of all) {
    if (imp.spec.startsWith('.') || imp.spec.startsWith('node:')) continue;
    const home = PACKAGE_HOMES.find(([re]) => re.test(imp.spec));
    if (home && !home[1].includes(layerOf(imp.from)!)) bad.push(`${imp.from} imports ${imp.spec}`);
  }
  assert.deepEqual(bad, []);
});

test('src/slim never imports the adapters, the gateway, the HTTP edge, the config or the CLI', () => {
  const above = /^src\/(adapters|gateway|http|config|cli)[/.]/;
  const bad = all.filter((i) => i.from.startsWith('src/slim/') && i.target && above.test(i.target));
  assert.deepEqual(
    bad.map((i) => `${i.from} imports ${i.target}`),
    [],
  );
});

test('the adapters reach the SLIM stack only through the SLIMRPC (and, for types, auth) public surface', () => {
  const bad = all
    .filter((i) => i.from.startsWith('src/adapters/') && i.target?.startsWith('src/slim/'))
    .filter(
      (i) => i.target !== 'src/slim/rpc/index.ts' && !(i.target === 'src/slim/auth/index.ts' && i.typeOnly),
    );
  assert.deepEqual(
    bad.map((i) => `${i.from} imports ${i.target}`),
    [],
  );
});

test('nothing that ships (src, examples) imports test or benchmark code', () => {
  const shipped = [...all, ...sourceFiles(EXAMPLES).flatMap(importsOf)];
  const bad = shipped.filter((i) => i.target && /^(test|bench)\//.test(i.target));
  assert.deepEqual(
    bad.map((i) => `${i.from} imports ${i.target}`),
    [],
  );
});

test('src/slim knows nothing of MCP, A2A, HTTP or YAML', () => {
  const forbidden = /^(@modelcontextprotocol|@a2a-js|express|yaml|zod|node:http)/;
  const bad = all.filter((i) => i.from.startsWith('src/slim/') && forbidden.test(i.spec));
  assert.deepEqual(
    bad.map((i) => `${i.from} imports ${i.spec}`),
    [],
  );
});

test('the session state machines (src/slim/session/state/) import nothing that does I/O', () => {
  const STATE = 'src/slim/session/state/';
  const pure = new Set(['src/slim/session/constants.ts', 'src/util/errors.ts']);
  const bad = all
    .filter((i) => i.from.startsWith(STATE))
    .filter((i) => {
      // Nothing with I/O, not even for its types: no data plane, node, link or logger.
      if (i.target && /^src\/slim\/(dataplane|node)\//.test(i.target)) return true;
      if (/^(pino|@grpc\/)/.test(i.spec)) return true;
      if (i.typeOnly) return false;
      // Code that runs: the folder itself, the constants, randomness and the error type only.
      if (i.spec.startsWith('node:')) return i.spec !== 'node:crypto';
      if (!i.target) return true;
      return !(i.target.startsWith(STATE) || pure.has(i.target));
    });
  assert.deepEqual(
    bad.map((i) => `${i.from} imports ${i.spec}`),
    [],
  );
});

test('nothing below src/config reads process.env', () => {
  const bad = files
    .map((f) => relative(REPO_ROOT, f))
    .filter((f) => /^src\/(slim|adapters|util)\//.test(f))
    .filter((f) => /process\.env/.test(readFileSync(join(REPO_ROOT, f), 'utf8')));
  assert.deepEqual(bad, []);
});

test('there are no circular imports (type-only imports included)', () => {
  const graph = new Map<string, string[]>();
  for (const imp of all) {
    if (!imp.target) continue;
    graph.set(imp.from, [...(graph.get(imp.from) ?? []), imp.target]);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[] = [];
  const visit = (node: string, path: string[]) => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'visiting') {
      cycles.push([...path.slice(path.indexOf(node)), node].join(' -> '));
      return;
    }
    state.set(node, 'visiting');
    for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
    state.set(node, 'done');
  };
  for (const node of graph.keys()) visit(node, []);
  assert.deepEqual(cycles, []);
});
