// Benchmark helper process: one of our SLIM apps as a SLIMRPC client of `bench.Echo/Echo` (served
// by rpc-echo-server.ts) through the node at argv[2]; runs `concurrency` loops of 1 KiB unary calls
// (MLS on) for `ms` milliseconds after a warm-up and prints one JSON line of results. Used to
// profile each process of the SLIMRPC path on its own (node --cpu-prof).
import { GrpcLink } from '../../src/slim/dataplane/grpc-link.js';
import { parseName } from '../../src/slim/dataplane/name.js';
import { createChannel } from '../../src/slim/rpc/index.js';
import { makeApp } from '../../test/support/session-apps.js';
import { summarize } from '../harness.js';

const [endpoint, c = '1', ms = '5000', cap] = process.argv.slice(2);
if (!endpoint)
  throw new Error('usage: rpc-load-client <node endpoint> [concurrency] [ms] [maxConcurrentCalls]');
const concurrency = Number(c);
const app = await makeApp({ name: 'org/ns/bench-cli', link: new GrpcLink({ endpoint }), mls: true });
const channel = createChannel(app, parseName('org/ns/bench-srv'), {
  ...(cap ? { maxConcurrentCalls: Number(cap) } : {}),
});
const request = new Uint8Array(1024).fill(7);
const call = () => channel.unary('bench.Echo', 'Echo', request, { timeoutMs: 60_000 });
// Warm-up: 50 calls and at least 2 s (JavaScript is optimised after a few thousand calls).
const warm = performance.now() + 2000;
for (let i = 0; i < 50 || performance.now() < warm; i++) await call();
const lat: number[] = [];
console.log('measuring');
const cpu0 = process.cpuUsage();
const start = performance.now();
const until = start + Number(ms);
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < until) {
      const t = performance.now();
      await call();
      lat.push(performance.now() - t);
    }
  }),
);
const elapsed = performance.now() - start;
const cpu = process.cpuUsage(cpu0);
const s = summarize(lat);
console.log('measured');
console.log(
  JSON.stringify({
    concurrency,
    calls: lat.length,
    callsPerSec: (lat.length / elapsed) * 1000,
    p50: s.p50,
    p99: s.p99,
    clientCpuUsPerCall: (cpu.user + cpu.system) / lat.length,
  }),
);
await channel.close();
await app.close();
process.exit(0);
