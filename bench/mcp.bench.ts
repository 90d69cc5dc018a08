// MCP `tools/call` through two gateways over SLIM against the same call made directly, in the same
// run (BENCHMARKS.md, "MCP through two gateways"). Laid out as in production, one process each:
// the MCP server (the SDK test server on Streamable HTTP), the server-side gateway (our embedded
// SLIM node and the service), the client-side gateway (the route); the MCP SDK v1 clients run in
// this process. `echo` with small arguments and a small result; p50/p99 and calls per second with
// 1 client and with 32 clients (one MCP session each, calls back to back), direct and via the
// gateways measured in alternating rounds. Before any of that, the first calls of the fresh pair
// of gateways (calls 1-300 by default, one client, interleaved one by one with the same calls made
// directly), reported apart from the warmed-up figures. MLS on, and off to show what it costs. Then memory of
// both gateways, idle and with 1,000 open MCP sessions (SDK clients, each with its GET stream).
// The in-memory pair (adapters only, in this process) shows the adapters' share.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startGateway } from '../test/support/mcp/gateway.js';
import { startTestHttpServer } from '../test/support/mcp/test-server.js';
import type { Bench, Measurement } from './harness.js';
import { envCount, summarize } from './harness.js';
import { startDeployment } from './support/processes.js';
import type { Memory, Proc } from './support/processes.js';

// The SDK's Streamable HTTP client hands its long-lived AbortSignal to every fetch, and undici keeps
// a listener on it per request until GC: harmless here, but Node warns per call past 1,500.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'MaxListenersExceededWarning') console.error(w);
});

/** Each (path, concurrency) runs ROUNDS rounds of RUN_MS, alternating direct and via. */
const RUN_MS = envCount('MCP_BENCH_MS', 5000);
const ROUNDS = 2;
/**
 * Each path is warmed up with a round of this length first: a gateway is a long-running process,
 * and at a few dozen calls per second its JavaScript takes a few thousand calls to be optimised
 * (with 50 warm-up calls, as before, the first rounds measured mostly unoptimised code).
 */
const WARMUP_MS = envCount('MCP_BENCH_WARMUP_MS', 4000);
const SESSIONS = envCount('MCP_BENCH_SESSIONS', 1000);
/**
 * Calls measured on the fresh pair before any warm-up: what the first users of a newly started
 * deployment see (cold JavaScript, first SLIM session and MLS group), not the steady state.
 */
const FIRST_CALLS = envCount('MCP_BENCH_FIRST_CALLS', 300);
/** MCP_BENCH_FIRST_CALLS=0 skips them; MCP_BENCH_FIRST_ONLY=1 measures only them (A/B runs of start-up work). */
const FIRST_ONLY = process.env['MCP_BENCH_FIRST_ONLY'] === '1';

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

const echo = (c: Client) => c.callTool({ name: 'echo', arguments: { text: 'hello' } });

interface Sample {
  latencies: number[];
  ms: number;
}

/** Every client calls back to back for RUN_MS; the latency of each call and the elapsed time. */
async function round(clients: Client[], ms = RUN_MS): Promise<Sample> {
  const latencies: number[] = [];
  const start = performance.now();
  const until = start + ms;
  await Promise.all(
    clients.map(async (c) => {
      while (performance.now() < until) {
        const t = performance.now();
        await echo(c);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, ms: performance.now() - start };
}

function merge(samples: Sample[]): { p50: number; p99: number; perSecond: number } {
  const all = samples.flatMap((s) => s.latencies);
  const ms = samples.reduce((n, s) => n + s.ms, 0);
  const { p50, p99 } = summarize(all);
  return { p50, p99, perSecond: (all.length / ms) * 1000 };
}

async function compare(
  directUrl: string,
  viaUrl: string,
  n: number,
  label: string,
  gateways: Record<string, Proc> = {},
): Promise<Measurement[]> {
  const direct = await Promise.all(Array.from({ length: n }, () => connect(directUrl)));
  const via = await Promise.all(Array.from({ length: n }, () => connect(viaUrl)));
  try {
    await round(direct, WARMUP_MS);
    await round(via, WARMUP_MS);
    const d: Sample[] = [];
    const v: Sample[] = [];
    const cpu: Record<string, number> = {};
    for (let r = 0; r < ROUNDS; r++) {
      d.push(await round(direct));
      const before = Object.fromEntries(Object.entries(gateways).map(([k, p]) => [k, p.cpuMs()]));
      v.push(await round(via));
      for (const [k, p] of Object.entries(gateways)) cpu[k] = (cpu[k] ?? 0) + p.cpuMs() - before[k]!;
    }
    const viaCalls = v.reduce((c, s) => c + s.latencies.length, 0);
    const cpuPerCall: Measurement[] = Object.entries(cpu).map(([k, ms]) => ({
      name: `${label}, ${n} client(s), ${k} CPU per call`,
      unit: 'ms',
      ours: ms / viaCalls,
      better: 'lower',
    }));
    const dm = merge(d);
    const vm = merge(v);
    const added = `added p50 ${(vm.p50 - dm.p50).toFixed(3)} ms`;
    const peer = { peerLabel: 'direct', notes: added };
    return [
      {
        name: `${label}, ${n} client(s), p50`,
        unit: 'ms',
        ours: vm.p50,
        peer: dm.p50,
        better: 'lower',
        ...peer,
      },
      {
        name: `${label}, ${n} client(s), p99`,
        unit: 'ms',
        ours: vm.p99,
        peer: dm.p99,
        better: 'lower',
        ...peer,
      },
      {
        name: `${label}, ${n} client(s), calls/s`,
        unit: 'calls/s',
        ours: vm.perSecond,
        peer: dm.perSecond,
        better: 'higher',
        ...peer,
      },
      ...cpuPerCall,
    ];
  } finally {
    await Promise.all([...direct, ...via].map((c) => c.close()));
  }
}

/**
 * Calls 1..FIRST_CALLS of a fresh pair, one client, each via call followed by the same call made
 * directly (so the MCP server, shared by both paths, warms up alike for both). CPU per call: the
 * gateways' CPU over the whole loop divided by the via calls (an idle gateway uses next to none
 * while the direct calls run). The MCP session's initialize is not counted as a call.
 */
async function firstCalls(
  directUrl: string,
  viaUrl: string,
  label: string,
  gateways: Record<string, Proc>,
): Promise<Measurement[]> {
  let t = performance.now();
  const via = await connect(viaUrl);
  const viaInit = performance.now() - t;
  t = performance.now();
  const direct = await connect(directUrl);
  const directInit = performance.now() - t;
  try {
    const d: number[] = [];
    const v: number[] = [];
    const before = Object.fromEntries(Object.entries(gateways).map(([k, p]) => [k, p.cpuMs()]));
    for (let i = 0; i < FIRST_CALLS; i++) {
      t = performance.now();
      await echo(via);
      v.push(performance.now() - t);
      t = performance.now();
      await echo(direct);
      d.push(performance.now() - t);
    }
    const name = `${label}, calls 1-${FIRST_CALLS} of a fresh pair, 1 client`;
    const vs = summarize(v);
    const ds = summarize(d);
    const notes =
      `added p50 ${(vs.p50 - ds.p50).toFixed(3)} ms, added mean ${(vs.mean - ds.mean).toFixed(3)} ms; ` +
      `call 1 ${v[0]!.toFixed(1)} ms (direct ${d[0]!.toFixed(1)}); ` +
      `initialize ${viaInit.toFixed(1)} ms (direct ${directInit.toFixed(1)}); ` +
      Object.entries(gateways)
        .map(([k, p]) => `${k}: ready after ${p.ready['startMs']} ms, warm-up ${p.ready['warmUp']}`)
        .join('; ');
    const peer = { peerLabel: 'direct', notes };
    return [
      { name: `${name}, p50`, unit: 'ms', ours: vs.p50, peer: ds.p50, better: 'lower', ...peer },
      { name: `${name}, p99`, unit: 'ms', ours: vs.p99, peer: ds.p99, better: 'lower', ...peer },
      { name: `${name}, mean`, unit: 'ms', ours: vs.mean, peer: ds.mean, better: 'lower', ...peer },
      ...Object.entries(gateways).map(([k, p]) => ({
        name: `${name}, ${k} CPU per call`,
        unit: 'ms',
        ours: (p.cpuMs() - before[k]!) / FIRST_CALLS,
        better: 'lower' as const,
      })),
    ];
  } finally {
    await Promise.all([via.close(), direct.close()]);
  }
}

function twoGateways(mls: boolean): Bench {
  return {
    name: `mcp tools/call through two gateways over SLIM (MLS ${mls ? 'on' : 'off'}) vs direct`,
    async run() {
      const dep = await startDeployment({ mls });
      try {
        const label = `MCP echo via 2 gateways, MLS ${mls ? 'on' : 'off'}`;
        const procs = { 'client-side gateway': dep.clientGateway, 'server-side gateway': dep.serverGateway };
        return [
          // First, while the pair is fresh: nothing has run through it yet.
          ...(FIRST_CALLS > 0 ? await firstCalls(dep.directUrl, dep.routeUrl, label, procs) : []),
          ...(FIRST_ONLY ? [] : await compare(dep.directUrl, dep.routeUrl, 1, label, procs)),
          ...(FIRST_ONLY ? [] : await compare(dep.directUrl, dep.routeUrl, 32, label, procs)),
        ];
      } finally {
        await dep.stop();
      }
    },
  };
}

const MiB = 2 ** 20;
function memory(label: string, m: Memory): Measurement[] {
  return [
    { name: `${label} RSS`, unit: 'MiB', ours: m.rss / MiB, better: 'lower' },
    { name: `${label} heap used`, unit: 'MiB', ours: m.heapUsed / MiB, better: 'lower' },
  ];
}

export const benches: Bench[] = [
  twoGateways(true),
  twoGateways(false),
  {
    name: `mcp gateway memory, idle and with ${SESSIONS} open MCP sessions (MLS on)`,
    async run() {
      // 1,000 sessions fit the session defaults (a route's and an HTTP service's); more need a
      // higher bound. Every bench client comes from loopback, one address: each session holds its
      // GET stream and a POST connection, past the default per-address cap of 256.
      const dep = await startDeployment({
        mls: true,
        maxConnectionsPerClient: 2 * SESSIONS + 64,
        ...(SESSIONS > 1000 ? { maxSessions: SESSIONS } : {}),
      });
      const clients: Client[] = [];
      try {
        // Idle: started, one call made (the route's SLIM session exists), no MCP session open.
        const first = new Client({ name: 'bench', version: '1' });
        const transport = new StreamableHTTPClientTransport(new URL(dep.routeUrl));
        await first.connect(transport);
        await echo(first);
        await transport.terminateSession(); // the route allows 1,000 sessions: end this one
        await first.close();
        const out = [
          ...memory('client-side gateway, idle', await dep.clientGateway.mem()),
          ...memory('server-side gateway, idle', await dep.serverGateway.mem()),
        ];
        for (let i = 0; i < SESSIONS; i += 20)
          clients.push(
            ...(await Promise.all(
              Array.from({ length: Math.min(20, SESSIONS - i) }, () => connect(dep.routeUrl)),
            )),
          );
        await Promise.all(clients.slice(0, 50).map(echo));
        out.push(
          ...memory(`client-side gateway, ${SESSIONS} sessions`, await dep.clientGateway.mem()),
          ...memory(`server-side gateway, ${SESSIONS} sessions`, await dep.serverGateway.mem()),
        );
        return out;
      } finally {
        await Promise.all(clients.map((c) => c.close()));
        await dep.stop();
      }
    },
  },
  {
    name: 'mcp tools/call via the adapters only (in-memory SLIMRPC, one process) vs direct',
    async run() {
      const server = await startTestHttpServer();
      const gw = await startGateway({ kind: 'http', url: server.url });
      try {
        return [
          ...(await compare(server.url, gw.url, 1, 'MCP echo via adapters only')),
          ...(await compare(server.url, gw.url, 32, 'MCP echo via adapters only')),
        ];
      } finally {
        await gw.close();
        await server.close();
      }
    },
  },
];
