// `npm run bench [filter ...]`: runs every bench module under bench/ and prints ours/peer ratios.
// A bench that throws (say, one that needs root) is reported with its reason, the others still
// run, and the run exits with status 1.
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bench, Measurement } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const modules = readdirSync(here).filter((f) => f.endsWith('.bench.js'));
const results: { bench: string; measurements: Measurement[]; error?: string }[] = [];
const loadBefore = loadavg();
let failures = 0;

for (const file of modules.sort()) {
  const mod = (await import(join(here, file))) as { benches?: Bench[] };
  for (const bench of mod.benches ?? []) {
    if (filters.length > 0 && !filters.some((f) => bench.name.includes(f))) continue;
    console.error(`running ${bench.name} ...`);
    let measurements: Measurement[];
    try {
      measurements = await bench.run();
    } catch (err) {
      failures++;
      const reason = err instanceof Error ? err.message : String(err);
      console.error(`FAILED ${bench.name}: ${reason}`);
      results.push({ bench: bench.name, measurements: [], error: reason });
      continue;
    }
    results.push({ bench: bench.name, measurements });
    for (const m of measurements) {
      const ratio = m.peer ? (m.ours / m.peer).toFixed(2) : '-';
      console.log(
        `${m.name.padEnd(52)} ${m.unit.padEnd(10)} ours ${m.ours.toFixed(3).padStart(10)}  ` +
          `${(m.peerLabel ?? 'peer').padEnd(12)} ${m.peer === undefined ? '-'.padStart(10) : m.peer.toFixed(3).padStart(10)}  ratio ${ratio} (${m.better} is better)`,
      );
    }
  }
}
const machine = {
  cpus: cpus().length,
  cpu: cpus()[0]?.model,
  memGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  loadAverage1m: { before: +loadBefore[0]!.toFixed(2), after: +loadavg()[0]!.toFixed(2) },
};
writeFileSync(
  'bench-results.json',
  JSON.stringify({ date: new Date().toISOString(), machine, results }, null, 2),
);
console.error(`machine: ${JSON.stringify(machine)}; results in bench-results.json`);
if (failures > 0) console.error(`${failures} bench(es) failed`);
process.exit(failures > 0 ? 1 : 0);
