// MLS operations through our MLS layer's public API (src/slim/mls), with our native crypto
// provider ("ours") and ts-mls's default provider ("peer") in the same run: 1 KiB application
// message encrypt and decrypt (with a SLIM-sized 400 B AAD), and at group sizes 2, 11 and 51 the
// add-member commit (create at the moderator, process at a member, Welcome join at the new member)
// and the remove commit (create, process). Medians. Sizes are the group size before the operation.
import { randomBytes } from 'node:crypto';
import { SharedSecretIdentity } from '../src/slim/auth/index.js';
import { createMlsClient } from '../src/slim/mls/index.js';
import type { CryptoKind, MlsClient, MlsGroup } from '../src/slim/mls/index.js';
import type { Bench, Measurement } from './harness.js';
import { summarize } from './harness.js';

const SECRET = 'a-very-long-shared-secret-0123456789abcdef';
const SIZES = [2, 11, 51];
const COMMIT_RUNS = 21;
const MESSAGE_RUNS = 301;

interface App {
  tokenId: string;
  client: MlsClient;
}

async function app(name: string, crypto: CryptoKind): Promise<App> {
  const identity = new SharedSecretIdentity({ baseName: `org/ns/${name}`, secret: SECRET });
  return {
    tokenId: identity.tokenId,
    client: await createMlsClient({ identity, verifier: identity, crypto }),
  };
}

async function timed<T>(samples: number[], op: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const result = await op();
  samples.push(performance.now() - t0);
  return result;
}

const median = (samples: number[]) => summarize(samples).p50;

/** Every figure for one provider; keys are measurement names, values milliseconds (median). */
async function measure(crypto: CryptoKind): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const moderator = await app('mod', crypto);
  const mod = await moderator.client.createGroup();
  // m0 is a member that processes every commit; the others are only leaves in the tree.
  const first = await app('m0', crypto);
  const pending = await first.client.prepareJoin();
  const m0: MlsGroup = await pending.join((await mod.addMember(pending.keyPackage)).welcome);
  const others: App[] = [];
  let size = 2;

  const pt = randomBytes(1024);
  const aad = randomBytes(400);
  const enc: number[] = [];
  const dec: number[] = [];
  for (let i = 0; i < MESSAGE_RUNS + 20; i++) {
    const ct = await timed(enc, () => mod.encrypt(pt, aad));
    await timed(dec, () => m0.decrypt(ct));
  }
  enc.splice(0, 20);
  dec.splice(0, 20);
  out.set('encrypt 1 KiB (+400 B AAD)', median(enc));
  out.set('decrypt 1 KiB (+400 B AAD)', median(dec));
  out.set('encrypt + decrypt 1 KiB', median(enc.map((e, i) => e + dec[i]!)));

  for (const target of SIZES) {
    while (size < target) {
      const a = await app(`p${size}`, crypto);
      const add = await mod.addMember((await a.client.prepareJoin()).keyPackage);
      await m0.applyCommit(add.commit);
      others.push(a);
      size++;
    }
    const create: number[] = [];
    const process: number[] = [];
    const join: number[] = [];
    const rmCreate: number[] = [];
    const rmProcess: number[] = [];
    for (let i = 0; i < COMMIT_RUNS; i++) {
      // Add at `size`, then take the newcomer out again (untimed).
      const joiner = await app(`j${i}`, crypto);
      const p = await joiner.client.prepareJoin();
      const add = await timed(create, () => mod.addMember(p.keyPackage));
      await timed(process, () => m0.applyCommit(add.commit));
      (await timed(join, () => p.join(add.welcome))).close();
      const out1 = await mod.removeMember(joiner.tokenId);
      await m0.applyCommit(out1.commit);
      if (size < 3) continue;
      // Remove at `size` (an existing leaf), then add it back (untimed).
      const victim = others[i % others.length]!;
      const rm = await timed(rmCreate, () => mod.removeMember(victim.tokenId));
      await timed(rmProcess, () => m0.applyCommit(rm.commit));
      const back = await mod.addMember((await victim.client.prepareJoin()).keyPackage);
      await m0.applyCommit(back.commit);
    }
    out.set(`add-member commit: create, ${size} members`, median(create));
    out.set(`add-member commit: process, ${size} members`, median(process));
    out.set(`Welcome join, ${size} members`, median(join));
    if (rmCreate.length > 0) {
      out.set(`remove commit: create, ${size} members`, median(rmCreate));
      out.set(`remove commit: process, ${size} members`, median(rmProcess));
    }
  }
  mod.close();
  m0.close();
  return out;
}

export const benches: Bench[] = [
  {
    name: 'mls operations (native vs ts-mls default crypto)',
    async run(): Promise<Measurement[]> {
      await measure('native'); // warm-up of both code paths before the measured runs
      const ours = await measure('native');
      const peer = await measure('default');
      return [...ours].map(([name, value]) => ({
        name: `MLS ${name}`,
        unit: 'ms p50',
        ours: value,
        peer: peer.get(name),
        peerLabel: 'ts-mls default',
        better: 'lower' as const,
      }));
    },
  },
];
