// Our HTTP edge (node:http) against the same route on express 5, and on bare node:http (the floor),
// in one run: CPU of the server process per request (user + system, from /proc), with a small JSON
// POST over keep-alive connections. The servers run in their own process (support/
// http-edge-servers.ts); the load comes from this one. Rounds alternate between the servers so
// drift hits each alike. Nothing is asserted: the figures decide whether express earns its place.
import { Agent, request } from 'node:http';
import type { Bench, Measurement } from './harness.js';
import { envCount } from './harness.js';
import { startProc } from './support/processes.js';
import type { Proc } from './support/processes.js';

const REQUESTS = envCount('HTTP_BENCH_REQUESTS', 4_000);
const ROUNDS = 3;
const CONCURRENCY = 16;
const BODY = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo' } });

function post(agent: Agent, url: URL): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(BODY);
  });
}

/** Server CPU (ms) for `count` requests to `url`. */
async function load(proc: Proc, url: URL, count: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await post(agent, url);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker)); // warm the connections
  next = 0;
  const before = proc.cpuMs();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const cpu = proc.cpuMs() - before;
  agent.destroy();
  return cpu;
}

export const benches: Bench[] = [
  {
    name: 'http edge vs express',
    async run(): Promise<Measurement[]> {
      const proc = await startProc('http-edge-servers.js', []);
      try {
        const urls = {
          edge: new URL('/mcp/x', proc.ready['edge']),
          express: new URL('/mcp/x', proc.ready['express']),
          bare: new URL('/mcp/x', proc.ready['bare']),
        };
        const cpu = { edge: 0, express: 0, bare: 0 };
        for (let round = 0; round < ROUNDS; round++)
          for (const k of ['edge', 'express', 'bare'] as const) cpu[k] += await load(proc, urls[k], REQUESTS);
        const perRequest = (ms: number) => (ms * 1000) / (REQUESTS * ROUNDS);
        return [
          {
            name: 'HTTP route, server CPU per request',
            unit: 'µs',
            ours: perRequest(cpu.edge),
            peer: perRequest(cpu.express),
            peerLabel: 'express 5',
            better: 'lower',
            notes: 'ours includes host/origin checks, request ids, per-request signal and metrics',
          },
          {
            name: 'HTTP route, server CPU per request (bare node:http floor)',
            unit: 'µs',
            ours: perRequest(cpu.edge),
            peer: perRequest(cpu.bare),
            peerLabel: 'node:http',
            better: 'lower',
          },
        ];
      } finally {
        await proc.stop();
      }
    },
  },
];
