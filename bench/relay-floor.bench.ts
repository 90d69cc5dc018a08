// The floor under the node's CPU per forwarded frame (BENCHMARKS.md, "Data plane: node
// forwarding"): two relays with no SLIM logic (bench/support/bare-relay.ts) carry the same load,
// 1 KiB messages from one OpenChannel stream to another, as fast as the sender's stream lets it.
// One reads through grpc-js, as our node does; the peer reads node:http2 directly. Both write as
// our node does. Figure: the relay process's CPU time per frame (user + system, /proc), and
// frames per second. Rounds alternate the two relays so that machine noise hits both.
import { spawn } from 'node:child_process';
import { connect } from 'node:http2';
import type { ClientHttp2Session, ClientHttp2Stream } from 'node:http2';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Bench, Measurement } from './harness.js';
import { envCount, processCpuMs } from './harness.js';
import { OPEN_CHANNEL_PATH } from '../src/slim/dataplane/wire.js';
import { FLOW_CONTROL_WINDOW_BYTES } from '../src/slim/dataplane/grpc-transport.js';

const FRAMES = envCount('RELAY_BENCH_FRAMES', 100_000);
const ROUNDS = envCount('RELAY_BENCH_ROUNDS', 3);
const PAYLOAD_BYTES = 1024;
const here = dirname(fileURLToPath(import.meta.url));

type Variant = 'grpc-js' | 'node-http2';

async function startRelay(variant: Variant): Promise<{ port: number; pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [join(here, 'support', 'bare-relay.js'), variant], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${variant} relay did not start within 10 s`)), 10_000);
    child.once('exit', (code) => reject(new Error(`${variant} relay exited (${code}) before listening`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
  });
  return {
    port,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function openStream(port: number): Promise<{ session: ClientHttp2Session; stream: ClientHttp2Stream }> {
  const session = connect(`http://127.0.0.1:${port}`, {
    settings: { initialWindowSize: FLOW_CONTROL_WINDOW_BYTES },
  });
  session.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve());
    session.once('error', reject);
  });
  session.setLocalWindowSize(FLOW_CONTROL_WINDOW_BYTES);
  const stream = session.request({
    ':method': 'POST',
    ':path': OPEN_CHANNEL_PATH,
    'content-type': 'application/grpc',
    te: 'trailers',
  });
  await new Promise<void>((resolve, reject) => {
    stream.once('response', () => resolve());
    stream.once('error', reject);
  });
  return { session, stream };
}

/** One run: FRAMES messages through a fresh relay; its CPU per frame (µs) and frames per second. */
async function run(variant: Variant): Promise<{ cpuUs: number; perSecond: number }> {
  const relay = await startRelay(variant);
  const sender = await openStream(relay.port);
  const receiver = await openStream(relay.port);
  try {
    const frame = Buffer.alloc(5 + PAYLOAD_BYTES, 0x61);
    frame[0] = 0;
    frame.writeUInt32BE(PAYLOAD_BYTES, 1);
    const cpuBefore = processCpuMs(relay.pid);
    const started = performance.now();
    const arrived = new Promise<void>((resolve, reject) => {
      let bytes = 0;
      const timer = setTimeout(
        () => reject(new Error(`${variant}: frames still missing after 60 s`)),
        60_000,
      );
      receiver.stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes >= FRAMES * frame.length) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    let sent = 0;
    const pump = (): void => {
      while (sent < FRAMES) {
        sent++;
        if (!sender.stream.write(frame)) return void sender.stream.once('drain', pump);
        if (sent % 64 === 0) return void setImmediate(pump); // let the receiver's reads in
      }
    };
    pump();
    await arrived;
    const seconds = (performance.now() - started) / 1000;
    return { cpuUs: ((processCpuMs(relay.pid) - cpuBefore) * 1000) / FRAMES, perSecond: FRAMES / seconds };
  } finally {
    sender.session.destroy();
    receiver.session.destroy();
    await relay.stop();
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export const benches: Bench[] = [
  {
    name: 'relay-floor',
    async run(): Promise<Measurement[]> {
      const r: Record<Variant, { cpuUs: number[]; perSecond: number[] }> = {
        'grpc-js': { cpuUs: [], perSecond: [] },
        'node-http2': { cpuUs: [], perSecond: [] },
      };
      for (let i = 0; i < ROUNDS; i++) {
        for (const v of (i % 2 === 0 ? ['grpc-js', 'node-http2'] : ['node-http2', 'grpc-js']) as Variant[]) {
          const one = await run(v);
          r[v].cpuUs.push(one.cpuUs);
          r[v].perSecond.push(one.perSecond);
        }
      }
      const label = `bare relay 1 KiB, median of ${ROUNDS}`;
      return [
        {
          name: `${label}: relay CPU per frame`,
          unit: 'µs',
          ours: median(r['grpc-js'].cpuUs),
          peer: median(r['node-http2'].cpuUs),
          peerLabel: 'node:http2',
          better: 'lower',
          notes: 'ours: read through grpc-js, as the node does',
        },
        {
          name: `${label}: throughput`,
          unit: 'msg/s',
          ours: median(r['grpc-js'].perSecond),
          peer: median(r['node-http2'].perSecond),
          peerLabel: 'node:http2',
          better: 'higher',
        },
      ];
    },
  },
];
