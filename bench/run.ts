// `npm run bench [filter ...]`: runs every bench module under bench/ and prints ours/peer ratios.
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bench, Measurement } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const modules = readdirSync(here).filter((f) => f.endsWith('.bench.js'));
const results: { bench: string; measurements: Measurement[] }[] = [];

for (const file of modules.sort()) {
  const mod = (await import(join(here, file))) as { benches?: Bench[] };
  for (const bench of mod.benches ?? []) {
    if (filters.length > 0 && !filters.some((f) => bench.name.includes(f))) continue;
    console.error(`running ${bench.name} ...`);
    const measurements = await bench.run();
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
};
writeFileSync(
  'bench-results.json',
  JSON.stringify({ date: new Date().toISOString(), machine, results }, null, 2),
);
console.error(`machine: ${JSON.stringify(machine)}; results in bench-results.json`);
process.exit(0);
