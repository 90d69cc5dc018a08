#!/usr/bin/env node
// Runs the compiled test files (dist/test/**/*.test.js) with node's test runner.
//   node scripts/run-tests.mjs [substring ...]    only files whose path contains one of the substrings
// Env: TEST_CONCURRENCY (default 2), TEST_TIMEOUT_MS (default 120000: the limit of every test that
// sets none of its own, so a hang fails that test instead of stalling the run).
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const testRoot = join(root, 'dist', 'test');
if (!existsSync(testRoot)) {
  console.error('dist/test is missing: run `npm run build` first');
  process.exit(1);
}
const files = [];
(function walk(dir) {
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) walk(p);
    else if (entry.endsWith('.test.js')) files.push(p);
  }
})(testRoot);
const filters = process.argv.slice(2);
const selected = files
  .filter((f) => filters.length === 0 || filters.some((s) => relative(root, f).includes(s)))
  .sort();
if (selected.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const timeoutMs = process.env.TEST_TIMEOUT_MS ?? '120000';
const r = spawnSync(
  process.execPath,
  [
    '--test',
    `--test-concurrency=${concurrency}`,
    `--test-timeout=${timeoutMs}`,
    '--test-reporter=spec',
    ...selected,
  ],
  { stdio: 'inherit', cwd: root },
);
process.exit(r.status ?? 1);
