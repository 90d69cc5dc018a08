#!/usr/bin/env node
// Runs the compiled test files (dist/test/**/*.test.js) with node's test runner.
//   node scripts/run-tests.mjs [substring ...]    only files whose path contains one of the substrings
// Env: TEST_CONCURRENCY (default 2), TEST_TIMEOUT_MS (default 120000: the limit of every test that
// sets none of its own, so a hang fails that test instead of stalling the run). node's runner also
// holds each file to that limit as a whole; a file that needs longer (it builds and installs the
// package, say) says so in its first lines, `// test-file-timeout-ms: N`, and runs in a second
// pass with that limit. With two passes, a last line sums them up: `tests: N passed, N failed`.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';

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

/** The limit a file asks for in its opening lines, if any. */
function fileTimeout(file) {
  const head = readFileSync(file, 'utf8').slice(0, 4000);
  const m = /^\/\/ test-file-timeout-ms: (\d+)$/m.exec(head);
  return m ? Number(m[1]) : undefined;
}
const long = selected.filter((f) => fileTimeout(f) !== undefined);
const passes = [
  { files: selected.filter((f) => !long.includes(f)), timeout: timeoutMs },
  { files: long, timeout: String(Math.max(0, ...long.map(fileTimeout))) },
].filter((p) => p.files.length > 0);

/** Runs one pass, its output passed through; resolves with its exit code and counts. */
function run({ files, timeout }) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--test',
        `--test-concurrency=${concurrency}`,
        `--test-timeout=${timeout}`,
        '--test-reporter=spec',
        ...files,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'], cwd: root },
    );
    let text = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      text += chunk.toString();
      if (text.length > 65536) text = text.slice(-65536);
    });
    child.on('close', (code) => {
      const count = (word) => Number(new RegExp(`^ℹ ${word} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
      resolve({ code: code ?? 1, passed: count('pass'), failed: count('fail') + count('cancelled') });
    });
  });
}

let status = 0;
let passed = 0;
let failed = 0;
for (const pass of passes) {
  const r = await run(pass);
  if (r.code !== 0) status = r.code;
  passed += r.passed;
  failed += r.failed;
}
if (passes.length > 1) console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(status);
