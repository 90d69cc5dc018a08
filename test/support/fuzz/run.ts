// `npm run fuzz -- [COUNT] [SEED] [TARGET-SUBSTRING]`: the long fuzz run (docs/security.md,
// "Fuzzing"), COUNT inputs per decoder (default 1,000,000). Prints one JSON line per decoder and
// exits 1 if any decoder broke its contract, with the seed and input index to replay it.
// FUZZ_SLOW_MS (default 2000) is how long one input may take before it counts as a hang: raise it
// on a loaded machine, where a stall of the whole process would otherwise be reported.
import { fuzz } from './engine.js';
import { targets } from './targets.js';

const count = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? Date.now() % 0x1_0000_0000);
const only = process.argv[4];
if (!Number.isInteger(count) || count <= 0)
  throw new Error(`COUNT: a positive integer, got ${process.argv[2]}`);
let failed = false;
for (const target of targets) {
  if (only && !target.name.includes(only)) continue;
  const report = fuzz(target, { count, seed, slowMs: Number(process.env['FUZZ_SLOW_MS'] ?? 2000) });
  failed ||= report.findings.length > 0;
  console.log(
    JSON.stringify({
      target: report.target,
      seed,
      inputs: report.inputs,
      seconds: +(report.ms / 1000).toFixed(1),
      inputsPerSecond: Math.round(report.inputs / (report.ms / 1000)),
      slowestMs: +report.slowestMs.toFixed(1),
      maxHeapMiB: +report.maxHeapMiB.toFixed(1),
      findings: report.findings,
    }),
  );
}
process.exit(failed ? 1 : 0);
