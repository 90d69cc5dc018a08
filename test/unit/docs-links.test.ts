// The documentation stays true to the tree: every `src/...` path ARCHITECTURE.md (and the file map
// it links to) names exists, and every section of docs/, README.md or ARCHITECTURE.md that a source
// comment cites by anchor (`docs/dataplane.md` + `#header-mac`) is a heading of that document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../support/paths.js';

const MAPS = ['ARCHITECTURE.md', 'docs/src-map.md'];
/** Documents that say where a fact is implemented or confirmed, by `src/` and `test/` path. */
const CITING = ['docs/dataplane.md', 'docs/sessions-mls.md', 'docs/slimrpc.md'];

/** Repository paths under `root/` named in a markdown text (a trailing `/` or `.` is not part of it). */
function pathsIn(text: string, root: 'src' | 'test'): string[] {
  const out = new Set<string>();
  const re = new RegExp(`(?<![\\w./-])${root}/[\\w./-]*[\\w/]`, 'g');
  for (const m of text.matchAll(re)) out.add(m[0].replace(/\/$/, ''));
  return [...out];
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(doc: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fenced = false;
  for (const line of readFileSync(join(REPO_ROOT, doc), 'utf8').split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const m = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) {
      if (e !== 'node_modules' && e !== 'gen' && e !== 'fixtures') out.push(...files(p));
    } else if (/\.(ts|mjs|js|c)$/.test(e)) out.push(p);
  }
  return out;
}

test('the slug rule gives the anchors GitHub gives', () => {
  assert.equal(slug('Header MAC'), 'header-mac');
  assert.equal(slug('Reliability: ACK and RTX'), 'reliability-ack-and-rtx');
  assert.equal(slug('3. Offering an agent (`services[].a2a`)'), '3-offering-an-agent-servicesa2a');
});

test('the architecture map, the file map and the wire docs name only paths that exist', () => {
  for (const doc of [...MAPS, ...CITING]) {
    const text = readFileSync(join(REPO_ROOT, doc), 'utf8');
    const named = [...pathsIn(text, 'src'), ...pathsIn(text, 'test')];
    assert.ok(named.length > 5, `${doc} names repository paths`);
    const missing = named.filter((p) => !existsSync(join(REPO_ROOT, p)));
    assert.deepEqual(missing, [], `${doc} names paths that do not exist`);
  }
  assert.match(readFileSync(join(REPO_ROOT, 'ARCHITECTURE.md'), 'utf8'), /docs\/src-map\.md/);
});

test('every section a source comment cites is a heading of that document', () => {
  const anchors = new Map<string, Set<string>>();
  const bad: string[] = [];
  for (const dir of ['src', 'test', 'bench', 'scripts']) {
    if (!existsSync(join(REPO_ROOT, dir))) continue;
    for (const file of files(join(REPO_ROOT, dir))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\b((?:docs\/[\w-]+|README|ARCHITECTURE)\.md)#([\w-]+)/g)) {
        const [, doc, anchor] = m as unknown as [string, string, string];
        if (!existsSync(join(REPO_ROOT, doc))) {
          bad.push(`${relative(REPO_ROOT, file)}: ${doc} does not exist`);
          continue;
        }
        if (!anchors.has(doc)) anchors.set(doc, anchorsOf(doc));
        if (!anchors.get(doc)!.has(anchor)) bad.push(`${relative(REPO_ROOT, file)}: ${doc}#${anchor}`);
      }
    }
  }
  assert.ok(anchors.size >= 3, 'source comments cite the docs by section');
  assert.deepEqual(bad, []);
});
