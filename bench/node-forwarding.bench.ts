// Node forwarding: the same publish load through our node (`slim-gateway node`, its own process)
// and through the reference node (Rust core from npm, its own process), in the same run, with the
// same client (our GrpcLink, header MACs on). 1 KiB payloads; one producer and one consumer, then
// eight of each (producer i -> consumer i, exact ids). Throughput: producers publish as fast as
// the link lets them (backpressure, no pacing); latency: one frame in flight per pair, one-way
// (producer and consumer share this process's clock).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { GATEWAY_NODE_FLAGS } from '../src/cli/node-flags.js';
import { GrpcLink } from '../src/slim/dataplane/grpc-link.js';
import { makeName } from '../src/slim/dataplane/name.js';
import type { SlimName } from '../src/slim/dataplane/name.js';
import { newMessage } from '../src/slim/proto/index.js';
import type { Message } from '../src/slim/proto/index.js';
import { REPO_ROOT } from '../test/support/paths.js';
import { freePort, startReferenceNode } from '../test/support/reference.js';
import type { Bench, Measurement } from './harness.js';
import { envCount, processCpuMs, summarize } from './harness.js';

const PAYLOAD = new Uint8Array(1024).fill(0x61);
const THROUGHPUT_FRAMES = envCount('BENCH_FRAMES', 20_000);
const LATENCY_FRAMES = envCount('BENCH_LATENCY_FRAMES', 2_000);
/**
 * Our node runs with the V8 flags its launcher gives it in production (src/cli/node-flags.ts);
 * BENCH_NODE_FLAGS=none runs it without them, any other value is the list of flags to use.
 */
const chosenFlags = process.env['BENCH_NODE_FLAGS'];
const NODE_FLAGS =
  chosenFlags === undefined
    ? GATEWAY_NODE_FLAGS
    : chosenFlags === 'none'
      ? []
      : chosenFlags.split(' ').filter(Boolean);

interface NodeUnderTest {
  label: string;
  endpoint: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

/** CPU time (user + system) a process has used, in ms (Linux /proc). */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    return processCpuMs(pid);
  } catch {
    return NaN;
  }
}

async function startOurNode(): Promise<NodeUnderTest> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      ...NODE_FLAGS,
      join(REPO_ROOT, 'bin', 'slim-gateway'),
      'node',
      '--listen',
      `127.0.0.1:${port}`,
      '--log-level',
      'warn',
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  // Ready when the port accepts a link: try until it does.
  const endpoint = `http://127.0.0.1:${port}`;
  createInterface({ input: child.stdout }).on('line', () => {});
  for (let i = 0; ; i++) {
    const probe = new GrpcLink({ endpoint, connectTimeoutMs: 1000 });
    try {
      await probe.start();
      await probe.close();
      break;
    } catch (err) {
      await probe.close();
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    label: 'ours',
    endpoint,
    pid: child.pid,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function startRefNode(): Promise<NodeUnderTest> {
  const n = await startReferenceNode();
  return { label: 'reference', endpoint: n.endpoint, pid: n.peer.pid, stop: () => n.peer.stop() };
}

function frame(from: SlimName, to: SlimName, seq: number): Message {
  return newMessage({
    messageType: {
      case: 'publish',
      value: {
        header: { source: toName(from), destination: toName(to), fanout: 1 },
        session: { sessionType: 1, sessionMessageType: 1, sessionId: 7, messageId: seq },
        msg: { contentType: { case: 'appPayload', value: { payloadType: 'msg', blob: PAYLOAD } } },
      },
    },
  });
}

import { toProtoName as toName } from '../src/slim/dataplane/name.js';

interface Pair {
  producer: GrpcLink;
  consumer: GrpcLink;
  from: SlimName;
  to: SlimName;
  /** Called with the message id of each frame the consumer gets. */
  onReceive: (seq: number) => void;
}

async function makePairs(endpoint: string, n: number): Promise<Pair[]> {
  const pairs: Pair[] = [];
  for (let i = 0; i < n; i++) {
    const from = makeName('bench', 'fwd', `p${i}`, BigInt(1000 + i));
    const to = makeName('bench', 'fwd', `c${i}`, BigInt(2000 + i));
    const producer = new GrpcLink({ endpoint, queueCapacity: 4096 });
    const consumer = new GrpcLink({ endpoint });
    await producer.start();
    await consumer.start();
    await consumer.subscribe(to, { source: to });
    const pair: Pair = { producer, consumer, from, to, onReceive: () => {} };
    consumer.onmessage = (m) => {
      if (m.messageType.case === 'publish') pair.onReceive(m.messageType.value.session?.messageId ?? 0);
    };
    pairs.push(pair);
  }
  return pairs;
}

async function closePairs(pairs: Pair[]): Promise<void> {
  await Promise.all(pairs.flatMap((p) => [p.producer.close(), p.consumer.close()]));
}

/** Every producer floods its consumer; returns msg/s over all pairs and how many were lost. */
async function throughput(pairs: Pair[], total: number): Promise<{ rate: number; lost: number }> {
  const per = Math.floor(total / pairs.length);
  let received = 0;
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => (resolveAll = r));
  for (const p of pairs) {
    p.onReceive = () => {
      if (++received === per * pairs.length) resolveAll();
    };
  }
  const t0 = performance.now();
  await Promise.all(
    pairs.map(async (p) => {
      for (let i = 1; i <= per; i++) await p.producer.publish(frame(p.from, p.to, i));
    }),
  );
  await Promise.race([all, new Promise((r) => setTimeout(r, 30_000))]);
  const secs = (performance.now() - t0) / 1000;
  const lost = per * pairs.length - received;
  if (lost > 0) console.error(`node-forwarding: ${lost} of ${per * pairs.length} frames not delivered`);
  return { rate: received / secs, lost };
}

/** One frame in flight per pair; returns one-way latencies in ms. */
async function latency(pairs: Pair[], total: number): Promise<number[]> {
  const per = Math.floor(total / pairs.length);
  const samples: number[] = [];
  await Promise.all(
    pairs.map(async (p) => {
      for (let i = 1; i <= per; i++) {
        const got = new Promise<void>((resolve) => {
          p.onReceive = (seq) => {
            if (seq === i) resolve();
          };
        });
        const t0 = performance.now();
        await p.producer.publish(frame(p.from, p.to, i));
        await Promise.race([got, new Promise((r) => setTimeout(r, 5_000))]);
        samples.push(performance.now() - t0);
      }
    }),
  );
  return samples;
}

interface Result {
  rate: number;
  lost: number;
  p50: number;
  p99: number;
  /** Node CPU time per forwarded frame during the throughput run, µs. */
  cpuPerFrameUs: number;
}

async function measure(node: NodeUnderTest, n: number): Promise<Result> {
  const pairs = await makePairs(node.endpoint, n);
  try {
    await throughput(pairs, 2_000); // warm-up
    const cpu0 = cpuMs(node.pid);
    const t = await throughput(pairs, THROUGHPUT_FRAMES);
    const cpuPerFrameUs = ((cpuMs(node.pid) - cpu0) * 1000) / (THROUGHPUT_FRAMES - t.lost);
    const l = summarize(await latency(pairs, LATENCY_FRAMES));
    return { rate: t.rate, lost: t.lost, p50: l.p50, p99: l.p99, cpuPerFrameUs };
  } finally {
    await closePairs(pairs);
  }
}

async function compare(n: number): Promise<Measurement[]> {
  const ours = await startOurNode();
  let o: Result;
  try {
    o = await measure(ours, n);
  } finally {
    await ours.stop();
  }
  const ref = await startRefNode();
  let r: Result;
  try {
    r = await measure(ref, n);
  } finally {
    await ref.stop();
  }
  const label = `${n}x${n}`;
  const notes = (x: Result) => (x.lost ? `${x.lost} lost` : undefined);
  const m = (
    name: string,
    unit: string,
    ours: number,
    peer: number,
    better: 'higher' | 'lower',
    note?: string,
  ): Measurement => ({
    name,
    unit,
    ours,
    peer,
    peerLabel: 'reference node',
    better,
    ...(note ? { notes: note } : {}),
  });
  return [
    m(
      `node forwarding 1 KiB ${label}: throughput`,
      'msg/s',
      o.rate,
      r.rate,
      'higher',
      [notes(o), notes(r)].filter(Boolean).join('; ') || undefined,
    ),
    m(`node forwarding 1 KiB ${label}: latency p50`, 'ms', o.p50, r.p50, 'lower'),
    m(`node forwarding 1 KiB ${label}: latency p99`, 'ms', o.p99, r.p99, 'lower'),
    m(`node forwarding 1 KiB ${label}: node CPU per frame`, 'µs', o.cpuPerFrameUs, r.cpuPerFrameUs, 'lower'),
  ];
}

export const benches: Bench[] = [
  { name: 'node-forwarding-1x1', run: () => compare(1) },
  { name: 'node-forwarding-8x8', run: () => compare(8) },
];
