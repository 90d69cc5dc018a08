// Point-to-point session round trip, 1 KiB, MLS on, reliability on: two of our apps through our
// node (gRPC links over loopback, as separate processes would connect; and in-process links)
// against two reference apps (each in its own process) through the reference node, same run.
// One sample = publish on the initiator, the invitee echoes it back, the initiator reads it.
import { performance } from 'node:perf_hooks';
import { SharedSecretIdentity } from '../src/slim/auth/index.js';
import { GrpcLink } from '../src/slim/dataplane/grpc-link.js';
import type { Link } from '../src/slim/dataplane/link.js';
import { parseName } from '../src/slim/dataplane/name.js';
import { createMlsClient } from '../src/slim/mls/index.js';
import { SlimNode } from '../src/slim/node/index.js';
import { createSlimApp } from '../src/slim/session/index.js';
import type { SlimApp } from '../src/slim/session/index.js';
import { makeApp } from '../test/support/session-apps.js';
import { ReferencePeer, startReferenceNode } from '../test/support/reference.js';
import { connectReferenceApp } from '../test/support/reference-apps.js';
import type { Bench, Measurement } from './harness.js';
import { envCount, summarize } from './harness.js';

const SECRET = 'a-very-long-shared-secret-0123456789abcdef';
const WARMUP = 30;
const SAMPLES = 300;
const PAYLOAD = new Uint8Array(1024).fill(0x61);

async function app(name: string, link: Link): Promise<SlimApp> {
  const identity = new SharedSecretIdentity({ baseName: name, secret: SECRET });
  return createSlimApp({
    name: parseName(name),
    link,
    identity,
    mls: () => createMlsClient({ identity, verifier: identity }),
  });
}

/** Round trips between two of our apps whose links `link()` makes. */
async function ours(link: () => Link): Promise<number[]> {
  const alice = await app('org/bench/alice', link());
  const bob = await app('org/bench/bob', link());
  try {
    void (async () => {
      for await (const s of bob.incoming()) {
        void (async () => {
          for await (const m of s.messages()) await s.publish(m.payload);
        })().catch(() => undefined);
      }
    })();
    const s = await alice.createSession(parseName('org/bench/bob'), {
      kind: 'p2p',
      mls: true,
      reliable: true,
    });
    const it = s.messages()[Symbol.asyncIterator]();
    const samples: number[] = [];
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      const t0 = performance.now();
      await s.publish(PAYLOAD);
      await it.next();
      if (i >= WARMUP) samples.push(performance.now() - t0);
    }
    await s.close();
    return samples;
  } finally {
    await Promise.allSettled([alice.close(), bob.close()]);
  }
}

/** The same between two reference apps, through the reference node (or `endpoint`). */
async function reference(endpoint?: string): Promise<number[]> {
  const node = endpoint ? undefined : await startReferenceNode();
  const at = endpoint ?? node!.endpoint;
  const alice = await ReferencePeer.start({ label: 'bench-alice' });
  const bob = await ReferencePeer.start({ label: 'bench-bob' });
  try {
    await connectReferenceApp(bob, 'refbob', at);
    await connectReferenceApp(alice, 'refalice', at);
    const total = WARMUP + SAMPLES;
    void bob.run(
      `const sess = await objects.get('app').listenForSessionAsync(60000);
       for (let i = 0; i < args.total; i++) {
         const m = await sess.getMessageAsync(60000);
         await sess.publishToAsync(m.context, m.payload.buffer ?? m.payload, undefined, undefined);
       }
       return true;`,
      { total },
      600_000,
    );
    return await alice.run<number[]>(
      `const bob = new s.Name('org', 'ns', 'refbob');
       await objects.get('app').setRouteAsync(bob, objects.get('conn'));
       const cfg = s.SessionConfig.create({ sessionType: s.SessionType.PointToPoint, metadata: new Map(),
         maxRetries: 10, interval: 1000,
         mlsSettings: s.MlsSettings.create({ headerIntegrityValidationPercent: 100 }) });
       const sess = await objects.get('app').createSessionAndWaitAsync(cfg, bob);
       const payload = new Uint8Array(1024).fill(0x61).buffer;
       const samples = [];
       for (let i = 0; i < args.total; i++) {
         const t0 = performance.now();
         await sess.publishAsync(payload, undefined, undefined);
         await sess.getMessageAsync(60000);
         if (i >= args.warmup) samples.push(performance.now() - t0);
       }
       return samples;`,
      { total, warmup: WARMUP },
      600_000,
    );
  } finally {
    await Promise.allSettled([alice.stop(), bob.stop(), node?.peer.stop()]);
  }
}

/**
 * A group of 10 participants and a moderator, one process, our node in-process: the 11th member
 * added and removed `cycles` times. CPU of the whole process per cycle, and the p50 of each step.
 */
async function membershipCycles(mls: boolean, cycles: number) {
  const node = await SlimNode.create();
  const apps: SlimApp[] = [];
  try {
    const make = async (name: string) => {
      const a = await makeApp({ name, link: node.connectInProcess(), mls });
      apps.push(a);
      void (async () => {
        for await (const s of a.incoming()) void s;
      })();
      return a;
    };
    const moderator = await make('org/ns/moderator');
    for (let i = 0; i <= 10; i++) await make(`org/ns/member-${i}`);
    const group = await moderator.createSession(parseName('org/ns/bench-group'), { kind: 'group', mls });
    for (let i = 0; i < 10; i++) await group.invite(parseName(`org/ns/member-${i}`));
    const eleventh = parseName('org/ns/member-10');
    const adds: number[] = [];
    const removes: number[] = [];
    const cpu = process.cpuUsage();
    for (let i = 0; i < cycles; i++) {
      let t = performance.now();
      await group.invite(eleventh);
      adds.push(performance.now() - t);
      t = performance.now();
      await group.remove(eleventh);
      removes.push(performance.now() - t);
    }
    const used = process.cpuUsage(cpu);
    return {
      cpuMs: (used.user + used.system) / 1000 / cycles,
      add: summarize(adds).p50,
      remove: summarize(removes).p50,
    };
  } finally {
    await Promise.allSettled(apps.map((a) => a.close()));
    await node.close();
  }
}

export const benches: Bench[] = [
  {
    name: 'session group membership: add and remove an 11th member (in-process)',
    async run(): Promise<Measurement[]> {
      const cycles = envCount('GROUP_BENCH_CYCLES', 20);
      const withMls = await membershipCycles(true, cycles);
      const without = await membershipCycles(false, cycles);
      const what = `add + remove of the 11th member, ${cycles} cycles`;
      const label = 'MLS off';
      return [
        {
          name: `${what}: CPU per cycle`,
          unit: 'ms',
          ours: withMls.cpuMs,
          peer: without.cpuMs,
          peerLabel: label,
          better: 'lower',
          notes: 'moderator, 11 participants and our node in one process; peer: the same without MLS',
        },
        {
          name: `${what}: add p50`,
          unit: 'ms',
          ours: withMls.add,
          peer: without.add,
          peerLabel: label,
          better: 'lower',
          notes: 're-adding a name just removed waits for its departure to settle (~1 s)',
        },
        {
          name: `${what}: remove p50`,
          unit: 'ms',
          ours: withMls.remove,
          peer: without.remove,
          peerLabel: label,
          better: 'lower',
        },
      ];
    },
  },
  {
    name: 'session p2p round trip',
    async run(): Promise<Measurement[]> {
      const node = await SlimNode.create({ listen: '127.0.0.1:0' });
      let grpc: number[];
      let inProcess: number[];
      let refOnOurs: number[];
      try {
        grpc = await ours(() => new GrpcLink({ endpoint: node.endpoint! }));
        inProcess = await ours(() => node.connectInProcess());
        refOnOurs = await reference(node.endpoint);
      } finally {
        await node.close();
      }
      const ref = summarize(await reference());
      const g = summarize(grpc);
      const ip = summarize(inProcess);
      const label = 'reference';
      const what = 'p2p round trip 1 KiB, MLS, reliable';
      return [
        {
          name: `${what}: ours via gRPC`,
          unit: 'ms p50',
          ours: g.p50,
          peer: ref.p50,
          peerLabel: label,
          better: 'lower',
        },
        {
          name: `${what}: ours via gRPC`,
          unit: 'ms p99',
          ours: g.p99,
          peer: ref.p99,
          peerLabel: label,
          better: 'lower',
        },
        {
          name: `${what}: ours in-process`,
          unit: 'ms p50',
          ours: ip.p50,
          peer: ref.p50,
          peerLabel: label,
          better: 'lower',
          notes: 'our apps on in-process links to our node',
        },
        {
          name: `${what}: ours in-process`,
          unit: 'ms p99',
          ours: ip.p99,
          peer: ref.p99,
          peerLabel: label,
          better: 'lower',
        },
        {
          name: `${what}: ours via gRPC, vs reference apps on our node`,
          unit: 'ms p50',
          ours: g.p50,
          peer: summarize(refOnOurs).p50,
          peerLabel: 'ref apps',
          better: 'lower',
          notes: 'the reference apps through our node: separates node and app costs',
        },
      ];
    },
  },
];
