// SLIMRPC unary round trip, 1 KiB request and response, MLS on: p50/p99 latency and calls per
// second at 1 and 32 calls in flight. Ours (our channel → our node → our server) against the
// reference (reference Channel → reference node → reference Server), in the same run, laid out
// alike: node, server and client each in its own process, linked over gRPC on loopback. The reference is measured as shipped (Nagle on) and,
// when a C compiler is present, with TCP_NODELAY forced by an LD_PRELOAD shim
// (bench/support/nodelay.c). The reference Node client hangs when calls start in the same tick
// (docs/slimrpc.md#limits), so its calls are issued at most one per macrotask, and with
// several in flight it gets one Channel per call in flight (on one Channel it hangs even so).
import { createInterface } from 'node:readline';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GrpcLink } from '../src/slim/dataplane/grpc-link.js';
import { parseName } from '../src/slim/dataplane/name.js';
import { SlimNode } from '../src/slim/node/index.js';
import { createChannel, createRpcServer } from '../src/slim/rpc/index.js';
import type { Bench, Measurement } from './harness.js';
import { envCount, processCpuMs, summarize } from './harness.js';
import { REPO_ROOT } from '../test/support/paths.js';
import type { ReferencePeer } from '../test/support/reference.js';
import { freePort, startReferenceNode } from '../test/support/reference.js';
import type { SlimApp } from '../src/slim/session/index.js';
import { referenceRpcClient, referenceRpcServer } from '../test/support/reference-rpc.js';
import { MemorySessionNetwork } from '../test/support/memory-sessions.js';
import { makeApp } from '../test/support/session-apps.js';

const PAYLOAD = 1024;
/** Each configuration runs for this long (or `MAX_CALLS` calls), after a warm-up. */
const RUN_MS = envCount('RPC_BENCH_MS', 8000);
const MAX_CALLS = 5000;
const WARMUP = 50;
/** Ours is warmed up this long first (JavaScript is optimised after a few thousand calls). */
const WARMUP_MS = envCount('RPC_BENCH_WARMUP_MS', 2000);
/**
 * RPC_BENCH_OURS_ONLY=1 measures only our processes' layout (latency and CPU per call), for a
 * quick A/B of two builds; the reference and the one-process breakdown are skipped.
 */
const OURS_ONLY = process.env['RPC_BENCH_OURS_ONLY'] === '1';

interface Sample {
  latenciesMs: number[];
  elapsedMs: number;
  /** CPU time (user + system) per call of each of our processes over the measured calls. */
  cpuPerCallMs?: Record<string, number>;
}

/** CPU time (user + system, ms) used so far by each process of a layout. */
type CpuMeter = () => Record<string, number>;

function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Runs `concurrency` loops of calls for RUN_MS; the latency of each call and the total time. */
async function drive(call: () => Promise<unknown>, concurrency: number, cpu?: CpuMeter): Promise<Sample> {
  const warm = performance.now() + WARMUP_MS;
  for (let i = 0; i < WARMUP || performance.now() < warm; i++) await call();
  const latenciesMs: number[] = [];
  const cpuBefore = cpu?.();
  const start = performance.now();
  const until = start + RUN_MS;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until && latenciesMs.length < MAX_CALLS) {
        const t = performance.now();
        await call();
        latenciesMs.push(performance.now() - t);
      }
    }),
  );
  const elapsedMs = performance.now() - start;
  if (!cpu || !cpuBefore) return { latenciesMs, elapsedMs };
  const after = cpu();
  const cpuPerCallMs = Object.fromEntries(
    Object.entries(after).map(([k, v]) => [k, (v - (cpuBefore[k] ?? 0)) / latenciesMs.length]),
  );
  return { latenciesMs, elapsedMs, cpuPerCallMs };
}

type Setup = 'processes' | 'grpc' | 'in-process' | 'rpc-only';

/** Starts a child process and resolves once it printed a line matching `ready` (stdout or logs). */
function child(args: string[], ready: RegExp): Promise<ChildProcess> {
  const p = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not start`)), 30_000);
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) {
        clearTimeout(timer);
        out = '';
        p.stdout!.off('data', onData).resume();
        p.stderr!.off('data', onData);
        // From now on only what matters shows: warnings and errors, and anything not a log line.
        createInterface({ input: p.stderr! }).on('line', (l) => {
          const level = /^\{"level":(\d+)/.exec(l);
          if (!level || Number(level[1]) >= 40) process.stderr.write(l + '\n');
        });
        resolve(p);
      }
    };
    p.stdout!.on('data', onData);
    p.stderr!.on('data', onData);
    p.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
}

/** Ours laid out like the reference run: node, server and client each in their own process. */
async function ourProcesses() {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const node = await child(
    [join(REPO_ROOT, 'bin', 'slim-gateway'), 'node', '--listen', `127.0.0.1:${port}`, '--log-level', 'info'],
    /listening/,
  );
  const server = await child(
    [join(REPO_ROOT, 'dist', 'bench', 'support', 'rpc-echo-server.js'), endpoint],
    /ready/,
  );
  const clientApp = await makeApp({ name: 'org/ns/bench-cli', link: new GrpcLink({ endpoint }), mls: true });
  const cpu: CpuMeter = () => ({
    node: processCpuMs(node.pid!),
    server: processCpuMs(server.pid!),
    'client (bench process)': selfCpuMs(),
  });
  return {
    clientApp,
    cpu,
    close: async () => {
      await clientApp.close();
      for (const p of [server, node]) {
        if (p.exitCode !== null) continue;
        const exited = new Promise((r) => p.once('exit', r));
        p.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/** Our stack: apps linked to our node over gRPC or in-process, or SLIMRPC alone on in-memory sessions. */
/** Our client app, and a server that lives in this process (undefined: it runs elsewhere). */
async function ourApps(
  setup: Setup,
): Promise<{ clientApp: SlimApp; serverApp?: SlimApp; cpu?: CpuMeter; close: () => Promise<void> }> {
  if (setup === 'processes') return ourProcesses();
  if (setup === 'rpc-only') {
    const net = new MemorySessionNetwork();
    return {
      serverApp: net.app('org/ns/bench-srv'),
      clientApp: net.app('org/ns/bench-cli'),
      close: async () => {},
    };
  }
  const node = await SlimNode.create({ listen: '127.0.0.1:0' });
  const link = () =>
    setup === 'grpc' ? new GrpcLink({ endpoint: node.endpoint! }) : node.connectInProcess();
  const serverApp = await makeApp({ name: 'org/ns/bench-srv', link: link(), mls: true });
  const clientApp = await makeApp({ name: 'org/ns/bench-cli', link: link(), mls: true });
  return {
    serverApp,
    clientApp,
    close: async () => {
      await Promise.all([serverApp.close(), clientApp.close()]);
      await node.close();
    },
  };
}

async function measureOurs(concurrency: number, setup: Setup): Promise<Sample> {
  const { serverApp, clientApp, cpu, close } = await ourApps(setup);
  const server = serverApp
    ? createRpcServer(serverApp, {
        services: [
          { name: 'bench.Echo', methods: { Echo: { kind: 'unary', handler: (r) => Promise.resolve(r) } } },
        ],
      })
    : undefined;
  const channel = createChannel(clientApp, parseName('org/ns/bench-srv'));
  const request = new Uint8Array(PAYLOAD).fill(7);
  try {
    return await drive(
      () => channel.unary('bench.Echo', 'Echo', request, { timeoutMs: 60_000 }),
      concurrency,
      cpu,
    );
  } finally {
    await channel.close();
    await server?.close();
    await close();
  }
}

/**
 * The reference's own loop, in the reference client's process (times measured there). With more
 * than one call in flight it needs one Channel per loop: on one Channel it hangs
 * (docs/slimrpc.md#limits), even with its calls spaced by a macrotask.
 */
const REF_DRIVE = `
  const request = new Uint8Array(args.payload).fill(7).buffer;
  const target = new s.Name('org', 'ns', args.target);
  const chans = args.concurrency === 1 ? [objects.get('ch')] : Array.from({ length: args.concurrency },
    () => s.Channel.newWithConnection(objects.get('app'), target, objects.get('conn')));
  const call = (ch) => ch.callUnaryAsync('test.Contract', 'Who', request, 60000, new Map());
  // One call start per macrotask at most: the reference client hangs on same-tick calls.
  let gate = Promise.resolve();
  const spaced = () => (gate = gate.then(() => new Promise((r) => setImmediate(r))));
  for (const ch of chans) { await spaced(); await call(ch); }
  for (let i = 0; i < args.warmup; i++) await call(chans[0]);
  const lat = [];
  const start = performance.now();
  const until = start + args.runMs;
  await Promise.all(chans.map(async (ch) => {
    while (performance.now() < until && lat.length < args.maxCalls) {
      await spaced();
      const t = performance.now();
      await call(ch);
      lat.push(performance.now() - t);
    }
  }));
  return { latenciesMs: lat, elapsedMs: performance.now() - start };`;

async function measureReference(concurrency: number, preload: string | undefined): Promise<Sample> {
  const saved = process.env['LD_PRELOAD'];
  if (preload) process.env['LD_PRELOAD'] = preload;
  const peers: ReferencePeer[] = [];
  try {
    const node = await startReferenceNode();
    peers.push(node.peer);
    peers.push(await referenceRpcServer('benchref-srv', node.endpoint));
    const client = await referenceRpcClient('benchref-cli', node.endpoint, 'benchref-srv');
    peers.push(client);
    return await client.run<Sample>(
      REF_DRIVE,
      {
        payload: PAYLOAD,
        concurrency,
        runMs: RUN_MS,
        maxCalls: MAX_CALLS,
        warmup: WARMUP,
        target: 'benchref-srv',
      },
      RUN_MS + 600_000,
    );
  } finally {
    if (saved === undefined) delete process.env['LD_PRELOAD'];
    else process.env['LD_PRELOAD'] = saved;
    await Promise.all(peers.map((p) => p.stop()));
  }
}

/** Builds the TCP_NODELAY shim; undefined when no C compiler is available. */
function buildNodelayShim(): string | undefined {
  const out = join(tmpdir(), `slim-bench-nodelay-${process.pid}.so`);
  const src = join(REPO_ROOT, 'bench', 'support', 'nodelay.c');
  const r = spawnSync('cc', ['-shared', '-fPIC', '-O2', '-o', out, src, '-ldl'], { stdio: 'ignore' });
  return r.status === 0 && existsSync(out) ? out : undefined;
}

function report(label: string, ours: Sample, peer: Sample, peerLabel: string, notes?: string): Measurement[] {
  const o = summarize(ours.latenciesMs);
  const p = summarize(peer.latenciesMs);
  const rate = (s: Sample) => (s.latenciesMs.length / s.elapsedMs) * 1000;
  const base = { peerLabel, ...(notes ? { notes } : {}) };
  return [
    { name: `${label} p50`, unit: 'ms', ours: o.p50, peer: p.p50, better: 'lower', ...base },
    { name: `${label} p99`, unit: 'ms', ours: o.p99, peer: p.p99, better: 'lower', ...base },
    {
      name: `${label} throughput`,
      unit: 'calls/s',
      ours: rate(ours),
      peer: rate(peer),
      better: 'higher',
      ...base,
    },
  ];
}

export const benches: Bench[] = [
  {
    name: 'rpc: SLIMRPC unary 1 KiB, MLS on',
    async run() {
      const shim = buildNodelayShim();
      const out: Measurement[] = [];
      for (const concurrency of [1, 32]) {
        const label = `unary 1 KiB MLS, ${concurrency} in flight`;
        const ours = await measureOurs(concurrency, 'processes');
        for (const [proc, ms] of Object.entries(ours.cpuPerCallMs ?? {}))
          out.push({ name: `${label}, ours, ${proc} CPU per call`, unit: 'ms', ours: ms, better: 'lower' });
        if (OURS_ONLY) {
          const o = summarize(ours.latenciesMs);
          out.push({ name: `${label} p50`, unit: 'ms', ours: o.p50, better: 'lower' });
          continue;
        }
        const ref = await measureReference(concurrency, undefined);
        out.push(
          ...report(
            label,
            ours,
            ref,
            'reference',
            `${ours.latenciesMs.length}/${ref.latenciesMs.length} calls`,
          ),
        );
        if (shim) {
          const refFast = await measureReference(concurrency, shim);
          out.push(
            ...report(
              `${label} (ref. TCP_NODELAY)`,
              ours,
              refFast,
              'ref+nodelay',
              `${refFast.latenciesMs.length} ref calls`,
            ),
          );
        }
      }
      // Where our time goes: everything in one process (gRPC on loopback, then in-process links
      // to the node), and SLIMRPC alone.
      for (const setup of OURS_ONLY ? [] : (['grpc', 'in-process', 'rpc-only'] as const)) {
        for (const concurrency of [1, 32]) {
          const s = await measureOurs(concurrency, setup);
          const sum = summarize(s.latenciesMs);
          const what = {
            grpc: 'ours, one process, gRPC links to our node, MLS on',
            'in-process': 'ours, one process, in-process links to our node, MLS on',
            'rpc-only': 'ours, SLIMRPC alone (in-memory sessions, no MLS)',
          }[setup];
          const label = `unary 1 KiB, ${concurrency} in flight, ${what}`;
          out.push(
            { name: `${label} p50`, unit: 'ms', ours: sum.p50, better: 'lower' },
            {
              name: `${label} throughput`,
              unit: 'calls/s',
              ours: (s.latenciesMs.length / s.elapsedMs) * 1000,
              better: 'higher',
            },
          );
        }
      }
      return out;
    },
  },
];
