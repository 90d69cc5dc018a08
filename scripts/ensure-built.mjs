#!/usr/bin/env node
// Builds dist/ (and its bundle) when it is missing or older than a source file (used by `npm start`
// and `bench`).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const stamp = join(root, 'dist', '.tsbuildinfo');
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}
// The bundle (scripts/bundle.mjs) is written after tsc's stamp: without it, the build did not finish.
const bundled = existsSync(join(root, 'dist', 'bundle', 'main.js'));
const built = existsSync(stamp) && bundled ? statSync(stamp).mtimeMs : 0;
const sources = Math.max(
  ...['src', 'test', 'bench', 'examples']
    .filter((d) => existsSync(join(root, d)))
    .map((d) => newest(join(root, d))),
);
if (sources > built) {
  const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
