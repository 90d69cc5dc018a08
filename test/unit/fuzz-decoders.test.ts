// A bounded fuzz run of every decoder that reads bytes from outside (docs/security.md, "Fuzzing"):
// mutations of the captured frames and real messages, and structure-aware random inputs. The long
// run is `npm run fuzz`. A fixed seed per run of CI would find nothing new, so the seed changes
// with the day and is printed with any finding, to replay it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzz } from '../support/fuzz/engine.js';
import { targets } from '../support/fuzz/targets.js';

const seed = Number(process.env['FUZZ_SEED'] ?? Math.floor(Date.now() / 86_400_000));
const count = Number(process.env['FUZZ_COUNT'] ?? 3000);

for (const target of targets) {
  test(`fuzz: ${target.name} keeps its contract over ${count} inputs (seed ${seed})`, () => {
    const report = fuzz(target, { count, seed });
    assert.equal(report.inputs, count);
    assert.deepEqual(report.findings, [], `findings (replay with FUZZ_SEED=${seed})`);
  });
}
