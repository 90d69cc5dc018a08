#!/usr/bin/env node
// Long fuzz runs of the decoders (test/fuzz/decoders.test.ts):
//   npm run fuzz -- [COUNT] [SEED]
// COUNT scales every target (default 100000; the test suite runs 1,500), SEED picks the inputs
// (default: random, printed so a failure can be replayed). No time limit: a hang is a finding.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const file = join(root, 'dist', 'test', 'fuzz', 'decoders.test.js');
if (!existsSync(file)) {
  console.error('dist/test/fuzz is missing: run `npm run build` first');
  process.exit(1);
}
const [countArg, seedArg] = process.argv.slice(2);
const count = Number(countArg ?? 100_000);
const seed = Number(seedArg ?? Math.floor(Math.random() * 2 ** 31));
if (!Number.isInteger(count) || count <= 0 || !Number.isInteger(seed)) {
  console.error('usage: npm run fuzz -- [COUNT] [SEED]   (positive integers)');
  process.exit(2);
}
console.log(`fuzzing with FUZZ_COUNT=${count} FUZZ_SEED=${seed}`);
const r = spawnSync(process.execPath, ['--test', '--test-timeout=0', '--test-reporter=spec', file], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, FUZZ_COUNT: String(count), FUZZ_SEED: String(seed) },
});
process.exit(r.status ?? 1);
