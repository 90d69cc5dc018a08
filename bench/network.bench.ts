// `npm run bench network`: MCP `tools/call` through two gateways across three hosts (Linux network
// namespaces joined by veths, set up by test/support/mcp-network.ts exactly as the network tests
// are), once with our SLIM node on the node host and once with the reference node, under the
// network tests' faults (BENCHMARKS.md, "Across a real network"):
// - 5% random packet loss on every host, beside the same calls with no loss in the same run (the
//   peer of each ratio; the two alternate three times, 100 calls each, 10 at a time): calls made
//   and succeeded, failed with the gateway's reason, lost (answered but
//   never seen by the MCP server, or failed only by the client's own timeout: must be 0) and
//   duplicated (seen twice by the server: must be 0); p50 and p99 latency of the successes; CPU
//   per call of each gateway process;
// - a 10 s partition of the server host: the calls in flight or started during it, how many
//   failed and how long they took to, and the time from the heal to the first successful call;
// - the node killed and restarted under load: time from the restart to the first success of a call
//   started after it (split into the new node's start-up and the gateways' reconnection), calls
//   failed, lost and duplicated.
// Needs root, iproute2 and iptables; without them it fails with the reason (never skips). About a
// minute; a loss phase starts no call after 10 s, and a step due after 3 minutes fails the bench
// rather than running on. Nothing here asserts a time.
import { loadavg } from 'node:os';
import type { Bench, Measurement } from './harness.js';
import { summarize } from './harness.js';
import { processCpuMs } from './harness.js';
import {
  callAll,
  countOutcomes,
  partitionServerHost,
  restartUnderLoad,
  startNetwork,
} from '../test/support/mcp-network.js';
import type { Network, NodeKind, Outcome } from '../test/support/mcp-network.js';

/**
 * Calls per phase and how many run at once; the calm and the lossy phases alternate ROUNDS times,
 * so a change in the machine's load over the run weighs on both alike.
 */
const CALLS = 100;
const ROUNDS = 3;
/** A phase starts no call after this long (a very lossy network makes fewer calls, not a longer run). */
const PHASE_MAX_MS = 10_000;
/** The whole bench: a step due to start after this fails the bench instead of running on. */
const BUDGET_MS = 180_000;
const CONCURRENCY = 10;
const LOSS = 0.05;
const PARTITION_MS = 10_000;
/** The route deadline: shorter than the partition, so calls caught by it fail during it. */
const ROUTE_TIMEOUT_MS = 8_000;
/** The client's own limit: any call still open this long was lost by the gateways. */
const SDK_TIMEOUT_MS = 30_000;

interface Phase {
  readonly outcomes: Outcome[];
  /** CPU (ms) each gateway process spent over the phase. */
  readonly cpuMs: { readonly client: number; readonly server: number };
}

/** Phases of the same condition, as one. */
const merge = (phases: readonly Phase[]): Phase => ({
  outcomes: phases.flatMap((p) => p.outcomes),
  cpuMs: {
    client: phases.reduce((n, p) => n + p.cpuMs.client, 0),
    server: phases.reduce((n, p) => n + p.cpuMs.server, 0),
  },
});

/** CALLS calls, CONCURRENCY at a time, none started after PHASE_MAX_MS. */
async function phase(net: Network, tag: string): Promise<Phase> {
  const c0 = processCpuMs(net.pids.client);
  const s0 = processCpuMs(net.pids.server);
  const until = performance.now() + PHASE_MAX_MS;
  const outcomes: Outcome[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < CALLS && performance.now() < until) outcomes.push(await net.call(`${tag}-${next++}`));
    }),
  );
  return {
    outcomes,
    cpuMs: { client: processCpuMs(net.pids.client) - c0, server: processCpuMs(net.pids.server) - s0 },
  };
}

interface Figures {
  readonly calm: Phase;
  readonly lossy: Phase;
  readonly lossyCount: ReturnType<typeof countOutcomes>;
  readonly calmCount: ReturnType<typeof countOutcomes>;
  readonly partition: Awaited<ReturnType<typeof partitionServerHost>>;
  readonly partitionCount: ReturnType<typeof countOutcomes>;
  readonly restart: Awaited<ReturnType<typeof restartUnderLoad>>;
  readonly restartCount: ReturnType<typeof countOutcomes>;
  readonly seconds: number;
}

/** One network with `node` on the node host, every fault in turn; everything removed at the end. */
async function measure(node: NodeKind, deadline: number): Promise<Figures> {
  const started = performance.now();
  const within = (step: string) => {
    if (performance.now() > deadline)
      throw new Error(`over the bench's ${BUDGET_MS / 1000} s budget before ${step} (${node} node)`);
  };
  const cleanups: (() => void | Promise<void>)[] = [];
  try {
    const net = await startNetwork(
      { after: (fn) => cleanups.push(fn) },
      { routeTimeoutMs: ROUTE_TIMEOUT_MS, node, sdkTimeoutMs: SDK_TIMEOUT_MS },
    );
    // Warm-up: the first calls set up the SLIM session and its MLS group.
    const warm = await callAll(
      net,
      Array.from({ length: 10 }, (_, i) => `${node}-warm-${i}`),
      CONCURRENCY,
    );
    if (!warm.some((o) => o.ok))
      throw new Error(`no warm-up call succeeded with the ${node} node: ${warm[0]?.text ?? ''}`);
    const calmPhases: Phase[] = [];
    const lossyPhases: Phase[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      within(`loss round ${round + 1}`);
      calmPhases.push(await phase(net, `${node}-calm-${round}`));
      net.lab.loss(LOSS);
      try {
        lossyPhases.push(await phase(net, `${node}-loss-${round}`));
      } finally {
        net.lab.loss(0);
      }
    }
    const calm = merge(calmPhases);
    const lossy = merge(lossyPhases);
    within('the partition');
    const partition = await partitionServerHost(net, PARTITION_MS, `${node}-`);
    within('the node restart');
    const restart = await restartUnderLoad(net, `${node}-`);
    if (restart.outcomes.length !== restart.started)
      throw new Error(`${restart.started - restart.outcomes.length} calls started under load never ended`);
    return {
      calm,
      lossy,
      calmCount: countOutcomes(net, calm.outcomes),
      lossyCount: countOutcomes(net, lossy.outcomes),
      partition,
      partitionCount: countOutcomes(net, [...partition.inflight, ...partition.during, ...partition.after]),
      restart,
      restartCount: countOutcomes(net, restart.outcomes),
      seconds: Math.round((performance.now() - started) / 1000),
    };
  } finally {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch {
        // Best effort: the namespaces go with lab.remove(), which never throws.
      }
    }
  }
}

const lost = (c: ReturnType<typeof countOutcomes>) => c.answeredUnseen.length + c.failedSilently.length;
const okMs = (outcomes: readonly Outcome[]) => outcomes.filter((o) => o.ok).map((o) => o.ms);
const failed = (outcomes: readonly Outcome[]) => outcomes.filter((o) => !o.ok);
const reasons = (outcomes: readonly Outcome[]) =>
  [...new Set(failed(outcomes).map((o) => o.text.slice(0, 100)))].join(' | ');
const perCallUs = (cpuMs: number, outcomes: readonly Outcome[]) => (cpuMs * 1000) / outcomes.length;

/** The loss figures of one node kind: 5% loss (ours) against no loss (the peer). */
function lossMeasurements(label: string, f: Figures): Measurement[] {
  const lossy = summarize(okMs(f.lossy.outcomes));
  const calm = summarize(okMs(f.calm.outcomes));
  const m = (
    name: string,
    unit: string,
    ours: number,
    peer: number,
    better: 'higher' | 'lower',
    notes?: string,
  ): Measurement => ({
    name: `${label}, 5% loss: ${name}`,
    unit,
    ours,
    peer,
    peerLabel: '0% loss',
    better,
    ...(notes ? { notes } : {}),
  });
  return [
    m('calls made', 'calls', f.lossy.outcomes.length, f.calm.outcomes.length, 'higher'),
    m('calls succeeded', 'calls', okMs(f.lossy.outcomes).length, okMs(f.calm.outcomes).length, 'higher'),
    m(
      'calls failed with a reason',
      'calls',
      failed(f.lossy.outcomes).length,
      failed(f.calm.outcomes).length,
      'lower',
      reasons(f.lossy.outcomes) || undefined,
    ),
    m('calls lost', 'calls', lost(f.lossyCount), lost(f.calmCount), 'lower'),
    m('calls duplicated', 'calls', f.lossyCount.duplicated.length, f.calmCount.duplicated.length, 'lower'),
    m('latency p50', 'ms', lossy.p50, calm.p50, 'lower'),
    m('latency p99', 'ms', lossy.p99, calm.p99, 'lower'),
    m(
      'client-side gateway CPU per call',
      'µs',
      perCallUs(f.lossy.cpuMs.client, f.lossy.outcomes),
      perCallUs(f.calm.cpuMs.client, f.calm.outcomes),
      'lower',
    ),
    m(
      'server-side gateway CPU per call',
      'µs',
      perCallUs(f.lossy.cpuMs.server, f.lossy.outcomes),
      perCallUs(f.calm.cpuMs.server, f.calm.outcomes),
      'lower',
    ),
  ];
}

/** Partition and restart figures: our node (ours) against the reference node (the peer). */
function faultMeasurements(ours: Figures, ref: Figures): Measurement[] {
  const m = (name: string, unit: string, pick: (f: Figures) => number, notes?: string): Measurement => ({
    name,
    unit,
    ours: pick(ours),
    peer: pick(ref),
    peerLabel: 'ref. node',
    better: 'lower',
    ...(notes ? { notes } : {}),
  });
  const caught = (f: Figures) => [...f.partition.inflight, ...f.partition.during];
  const timeToFail = (f: Figures) => failed(caught(f)).map((o) => o.ms);
  return [
    m(
      `partition ${PARTITION_MS / 1000} s: calls in flight or started during it, failed`,
      'of 8',
      (f) => failed(caught(f)).length,
      `ours: ${reasons(caught(ours))}; reference: ${reasons(caught(ref))}`,
    ),
    m('partition: time to fail, median', 'ms', (f) => summarize(timeToFail(f)).p50),
    m('partition: time to fail, slowest', 'ms', (f) =>
      timeToFail(f).length ? Math.max(...timeToFail(f)) : NaN,
    ),
    m('partition: heal to first success', 'ms', (f) => f.partition.recoveryMs ?? NaN),
    m('partition: calls lost', 'calls', (f) => lost(f.partitionCount)),
    m('partition: calls duplicated', 'calls', (f) => f.partitionCount.duplicated.length),
    m('node restart: restart to first success', 'ms', (f) => f.restart.recoveryMs),
    m('node restart: restart to the new node listening', 'ms', (f) => f.restart.nodeUpMs),
    m(
      'node restart: node listening to first success',
      'ms',
      (f) => f.restart.recoveryMs - f.restart.nodeUpMs,
    ),
    m(
      'node restart: calls failed with a reason',
      'calls',
      (f) => failed(f.restart.outcomes).length,
      `of ${ours.restart.outcomes.length} (ours) and ${ref.restart.outcomes.length} (reference) under load`,
    ),
    m('node restart: calls lost', 'calls', (f) => lost(f.restartCount)),
    m('node restart: calls duplicated', 'calls', (f) => f.restartCount.duplicated.length),
  ];
}

export const benches: Bench[] = [
  {
    name: 'network: MCP across three hosts, 5% loss, partition, node restart (our node and the reference node)',
    async run() {
      if (process.getuid?.() !== 0)
        throw new Error('needs root (network namespaces and iptables): run it as root, e.g. in .ci/run');
      const load0 = loadavg()[0]!;
      const deadline = performance.now() + BUDGET_MS;
      const ours = await measure('ours', deadline);
      const ref = await measure('reference', deadline);
      const load1 = loadavg()[0]!;
      console.error(
        `network: our node ${ours.seconds} s, reference node ${ref.seconds} s; ` +
          `load average ${load0.toFixed(2)} -> ${load1.toFixed(2)}`,
      );
      return [
        ...lossMeasurements('our node', ours),
        ...lossMeasurements('reference node', ref),
        ...faultMeasurements(ours, ref),
      ];
    },
  },
];
