// Where a process's CPU time goes, by layer of this repository (BENCHMARKS.md, "Frames per call"):
// reads a V8 .cpuprofile (node --cpu-prof) and attributes each sample to the innermost frame of
// our own code on its stack (dist/src/<layer>/...), so time spent in a library (ts-mls, noble,
// grpc-js) counts for the layer that called it; samples with none of our frames count by their
// own kind (idle, GC, Node internals, libraries called from the event loop).
// Usage: node dist/bench/support/profile-layers.js FILE.cpuprofile [MS_PER_CALL]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const LAYERS = [
  'slim/session',
  'slim/mls',
  'slim/dataplane',
  'slim/node',
  'slim/rpc',
  'slim/auth',
  'slim/proto',
  'adapters',
  'gateway',
  'util',
  'config',
  'telemetry',
];

function layerOf(url: string): string | undefined {
  const m = /\/dist\/src\/(.+)$/.exec(url);
  if (!m) return undefined;
  const path = m[1]!;
  return LAYERS.find((l) => path.startsWith(`${l}/`)) ?? path.split('/')[0];
}

function ownKind(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  if (functionName === '(idle)') return '(idle)';
  if (functionName === '(garbage collector)') return '(gc)';
  if (functionName === '(program)') return '(program)';
  const lib = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (lib) return `lib ${lib[1]}`;
  if (url.startsWith('node:')) return 'node internals';
  return '(other)';
}

export function layers(profile: Profile): Map<string, number> {
  const parent = new Map<number, ProfileNode>();
  const byId = new Map<number, ProfileNode>();
  for (const n of profile.nodes) byId.set(n.id, n);
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n);
  const owner = new Map<number, string>();
  const ownerOf = (id: number): string => {
    const cached = owner.get(id);
    if (cached) return cached;
    let n: ProfileNode | undefined = byId.get(id);
    let found: string | undefined;
    while (n && !found) {
      found = layerOf(n.callFrame.url);
      n = parent.get(n.id);
    }
    const result = found ?? ownKind(byId.get(id)!);
    owner.set(id, result);
    return result;
  };
  const out = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const k = ownerOf(id);
    out.set(k, (out.get(k) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return out;
}

if (process.argv[2]) {
  const profile = JSON.parse(readFileSync(process.argv[2], 'utf8')) as Profile;
  const perCall = process.argv[3] ? Number(process.argv[3]) : undefined;
  const t = layers(profile);
  const busy = [...t].filter(([k]) => k !== '(idle)').reduce((s, [, v]) => s + v, 0);
  console.log(`busy ${busy.toFixed(0)} ms`);
  for (const [k, v] of [...t].sort((a, b) => b[1] - a[1])) {
    if (k === '(idle)') continue;
    const share = v / busy;
    const ms = perCall === undefined ? '' : `  ${(share * perCall).toFixed(3)} ms/call`;
    console.log(`${k.padEnd(28)} ${(share * 100).toFixed(1).padStart(5)} %${ms}`);
  }
}
