// A2A benchmarks. Each runs an @a2a-js/sdk client against the example planner agent through a
// local route and, in the same run, the same client calling the same agent directly:
//   - a2a-adapter: route -> A2A SLIMRPC binding over the in-memory SLIMRPC network -> A2A service
//     (the adapter's own cost: no sessions, no MLS);
//   - a2a-slim: the same chain in one process over the real stack (our embedded node, SLIM
//     sessions, MLS on);
//   - a2a-two-gateways: two gateway processes (`slim-gateway run`, MLS on), the client side's
//     route to the agent offered by the server side, through the server side's embedded node.
// Figures: SendMessage round trip, and a streamed plan of 101 events (49 steps): time to the
// first event and to the last; with two gateways, each gateway's CPU per SendMessage.
import { performance } from 'node:perf_hooks';
import { ClientFactory } from '@a2a-js/sdk/client';
import type { Client } from '@a2a-js/sdk/client';
import type { Bench, Measurement } from './harness.js';
import { envCount, processCpuMs, summarize } from './harness.js';
import { startChain } from '../test/support/a2a-chain.js';
import { startTwoGateways } from '../test/support/a2a-gateways.js';
import { send } from '../test/support/a2a-scenarios.js';

const STREAM_STEPS = 49;
const STREAM_EVENTS = 2 * STREAM_STEPS + 3; // 101

/**
 * Warm-up before each block: at least 20 calls and WARMUP_MS. The gateways are long-running
 * processes whose JavaScript is optimised only after a few thousand calls; measured right after 20
 * calls, they ran mostly unoptimised code.
 */
const WARMUP_MS = envCount('A2A_BENCH_WARMUP_MS', 1500);

/** Node.js options for the gateway processes, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof". */
const NODE_ARGS = process.env['A2A_BENCH_NODE_ARGS']?.split(' ').filter(Boolean) ?? [];

/** CPU used by some processes over the measured calls (warm-ups excluded). */
class CpuMeter {
  readonly ms: Record<string, number> = {};
  calls = 0;
  constructor(private readonly pids: Readonly<Record<string, number>>) {}
  async over<T>(calls: number, fn: () => Promise<T>): Promise<T> {
    const before = Object.entries(this.pids).map(([k, pid]) => [k, processCpuMs(pid)] as const);
    const out = await fn();
    for (const [k, ms] of before) this.ms[k] = (this.ms[k] ?? 0) + processCpuMs(this.pids[k]!) - ms;
    this.calls += calls;
    return out;
  }
}

async function timeCalls(n: number, fn: () => Promise<unknown>, cpu?: CpuMeter): Promise<number[]> {
  const warm = performance.now() + WARMUP_MS;
  for (let i = 0; i < Math.min(20, n) || performance.now() < warm; i++) await fn();
  const samples: number[] = [];
  const measure = async () => {
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await fn();
      samples.push(performance.now() - t);
    }
  };
  await (cpu ? cpu.over(n, measure) : measure());
  return samples;
}

async function drain(client: Client, text: string): Promise<void> {
  for await (const _ of client.sendMessageStream(send(text))) void _;
}

/** One stream: ms to its first event and to its last; checks the event count. */
async function timeStream(client: Client): Promise<{ first: number; last: number }> {
  const t = performance.now();
  let first = 0;
  let n = 0;
  for await (const _ of client.sendMessageStream(send(`plan a long trip in ${STREAM_STEPS} steps`))) {
    void _;
    if (n++ === 0) first = performance.now() - t;
  }
  if (n !== STREAM_EVENTS) throw new Error(`expected ${STREAM_EVENTS} events, got ${n}`);
  return { first, last: performance.now() - t };
}

async function timeStreams(
  n: number,
  client: Client,
  cpu?: CpuMeter,
): Promise<{ first: number[]; last: number[] }> {
  const warm = performance.now() + WARMUP_MS;
  for (let i = 0; i < 3 || performance.now() < warm; i++) await timeStream(client); // warm-up
  const first: number[] = [];
  const last: number[] = [];
  const measure = async () => {
    for (let i = 0; i < n; i++) {
      const r = await timeStream(client);
      first.push(r.first);
      last.push(r.last);
    }
  };
  await (cpu ? cpu.over(n * STREAM_EVENTS, measure) : measure());
  return { first, last };
}

function pair(name: string, ours: number[], direct: number[]): Measurement[] {
  const o = summarize(ours);
  const d = summarize(direct);
  const m = (p: 'p50' | 'p99'): Measurement => ({
    name: `${name} ${p}`,
    unit: 'ms',
    ours: o[p],
    peer: d[p],
    peerLabel: 'direct',
    better: 'lower',
  });
  return [m('p50'), m('p99')];
}

/** Routed against direct, interleaved in blocks so machine noise hits both alike. */
async function compare(
  routed: Client,
  direct: Client,
  unaryCalls: number,
  streams: number,
  cpu?: { unary: CpuMeter; streams: CpuMeter },
): Promise<Measurement[]> {
  const unary = { ours: [] as number[], direct: [] as number[] };
  const first = { ours: [] as number[], direct: [] as number[] };
  const last = { ours: [] as number[], direct: [] as number[] };
  const blocks = 4;
  for (let b = 0; b < blocks; b++) {
    unary.ours.push(
      ...(await timeCalls(unaryCalls / blocks, () => routed.sendMessage(send('hello')), cpu?.unary)),
    );
    unary.direct.push(...(await timeCalls(unaryCalls / blocks, () => direct.sendMessage(send('hello')))));
    const so = await timeStreams(streams / blocks, routed, cpu?.streams);
    const sd = await timeStreams(streams / blocks, direct);
    first.ours.push(...so.first);
    last.ours.push(...so.last);
    first.direct.push(...sd.first);
    last.direct.push(...sd.last);
  }
  const events = STREAM_EVENTS;
  const perUnit = (meter: CpuMeter | undefined, what: string, unit: 'ms' | 'µs'): Measurement[] =>
    Object.entries(meter?.ms ?? {}).map(([k, ms]) => ({
      name: `${what}, ${k} CPU per ${unit === 'ms' ? 'call' : 'event'}`,
      unit,
      ours: ((unit === 'ms' ? 1 : 1000) * ms) / meter!.calls,
      better: 'lower',
    }));
  return [
    ...pair('SendMessage (message answer)', unary.ours, unary.direct),
    ...perUnit(cpu?.unary, 'SendMessage', 'ms'),
    ...pair(`SendStreamingMessage ${events} events, first event`, first.ours, first.direct),
    ...pair(`SendStreamingMessage ${events} events, last event`, last.ours, last.direct),
    ...perUnit(cpu?.streams, `SendStreamingMessage ${events} events`, 'µs'),
  ];
}

export const benches: Bench[] = [
  {
    name: 'a2a-adapter',
    async run(): Promise<Measurement[]> {
      const chain = await startChain({ agent: { extendedCard: false }, serviceCardTtlMs: 30_000 });
      try {
        const direct = await new ClientFactory().createFromUrl(`${chain.agent.url}/`);
        const routed = await new ClientFactory().createFromUrl(`${chain.url}/`);
        const out: Measurement[] = [];
        for (const [label, fn] of [
          ['SendMessage (message answer)', (c: Client) => c.sendMessage(send('hello'))],
          ['SendStreamingMessage, 10-step plan (23 events)', (c: Client) => drain(c, 'plan x in 10 steps')],
        ] as const) {
          out.push(
            ...pair(label, await timeCalls(200, () => fn(routed)), await timeCalls(200, () => fn(direct))),
          );
        }
        return out;
      } finally {
        await chain.close();
      }
    },
  },
  {
    name: 'a2a-slim',
    async run(): Promise<Measurement[]> {
      const chain = await startChain({
        transport: 'slim',
        agent: { extendedCard: false },
        serviceCardTtlMs: 30_000,
      });
      try {
        const direct = await new ClientFactory().createFromUrl(`${chain.agent.url}/`);
        const routed = await new ClientFactory().createFromUrl(`${chain.url}/`);
        return await compare(routed, direct, 200, 40);
      } finally {
        await chain.close();
      }
    },
  },
  {
    name: 'a2a-two-gateways',
    async run(): Promise<Measurement[]> {
      const gw = await startTwoGateways({ nodeArgs: NODE_ARGS });
      try {
        const direct = await new ClientFactory().createFromUrl(`${gw.agent.url}/`);
        const routed = await new ClientFactory().createFromUrl(`${gw.url}/`);
        const pids = {
          'client-side gateway': gw.client.child.proc.pid!,
          'server-side gateway': gw.server.child.proc.pid!,
        };
        return await compare(routed, direct, 200, 40, {
          unary: new CpuMeter(pids),
          streams: new CpuMeter(pids),
        });
      } finally {
        await gw.close();
      }
    },
  },
];
