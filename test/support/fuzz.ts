// Structure-aware random inputs for the decoder fuzz tests (test/fuzz): a seeded generator (so a
// failure names the seed and the input that reproduce it), byte mutations of captured frames (bit
// flips, boundary bytes, varint-shaped insertions, cuts, splices of two frames) and random JSON in
// the shapes our endpoints read (JSON-RPC envelopes, with hostile member names and values).

/** mulberry32: small, fast, seeded; good enough to drive mutations. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const BOUNDARY_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x08, 0x0a, 0x12, 0x1a, 0x22];
const VARINTS = [
  [0x00],
  [0x7f],
  [0x80, 0x01],
  [0xff, 0xff, 0xff, 0xff, 0x0f],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
  [0x80, 0x80, 0x80],
];

/** One to four mutations of `input` (never longer than `maxBytes`); `other` feeds splices. */
export function mutateBytes(rng: Rng, input: Uint8Array, other: Uint8Array, maxBytes = 1 << 20): Uint8Array {
  let b = Array.from(input);
  const rounds = 1 + rng.int(4);
  for (let i = 0; i < rounds; i++) {
    const at = b.length === 0 ? 0 : rng.int(b.length);
    switch (rng.int(8)) {
      case 0:
        if (b.length) b[at] = b[at]! ^ (1 << rng.int(8));
        break;
      case 1:
        if (b.length) b[at] = rng.pick(BOUNDARY_BYTES);
        break;
      case 2:
        b.splice(at, 0, ...rng.pick(VARINTS));
        break;
      case 3:
        b.splice(at, 1 + rng.int(Math.max(1, Math.min(16, b.length - at))));
        break;
      case 4:
        b = b.slice(0, at);
        break;
      case 5: {
        const from = rng.int(Math.max(1, other.length));
        b.splice(at, rng.int(8), ...Array.from(other.subarray(from, from + 1 + rng.int(64))));
        break;
      }
      case 6: {
        const len = 1 + rng.int(Math.min(32, Math.max(1, b.length - at)));
        b.splice(at, 0, ...b.slice(at, at + len));
        break;
      }
      default:
        b.splice(at, 0, rng.int(256));
    }
  }
  return Uint8Array.from(b.slice(0, maxBytes));
}

const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '',
  'x',
  '\u0000',
  'é',
];
const STRINGS = [
  '',
  '2.0',
  '1.0',
  'ping',
  'initialize',
  'tools/call',
  'SendMessage',
  'message/send',
  'GetTask',
  '\ud800',
  'a'.repeat(300),
  '%2e%2e',
  '\u202e',
];
const NUMBERS = [0, -1, 1, 2 ** 53, -(2 ** 53), 1e308, -1e-308, 0.5, 2 ** 31, NaN];

/** A random JSON value, at most `depth` levels deep. */
export function randomJson(rng: Rng, depth = 4): unknown {
  const k = rng.int(depth <= 0 ? 5 : 8);
  switch (k) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick(NUMBERS);
    case 3:
    case 4:
      return rng.pick(STRINGS);
    case 5:
      return Array.from({ length: rng.int(4) }, () => randomJson(rng, depth - 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = rng.int(5); i > 0; i--) o[rng.pick(HOSTILE_KEYS)] = randomJson(rng, depth - 1);
      return o;
    }
  }
}

/** A JSON-RPC envelope with random parts: mostly valid-looking, often subtly wrong. */
export function randomEnvelope(rng: Rng, methods: readonly string[]): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  if (rng.chance(0.9)) m['jsonrpc'] = rng.chance(0.85) ? '2.0' : randomJson(rng, 1);
  if (rng.chance(0.8)) m['id'] = rng.chance(0.7) ? rng.int(100) : randomJson(rng, 1);
  if (rng.chance(0.85)) m['method'] = rng.chance(0.8) ? rng.pick(methods) : randomJson(rng, 1);
  if (rng.chance(0.7)) m['params'] = rng.chance(0.6) ? randomParams(rng) : randomJson(rng, 3);
  if (rng.chance(0.1)) m['result'] = randomJson(rng, 2);
  if (rng.chance(0.1))
    m['error'] = rng.chance(0.5) ? { code: rng.int(70000) - 35000, message: 'x' } : randomJson(rng, 2);
  if (rng.chance(0.1)) m[rng.pick(HOSTILE_KEYS)] = randomJson(rng, 1);
  return m;
}

function randomParams(rng: Rng): Record<string, unknown> {
  const p: Record<string, unknown> = {};
  const fields = [
    'message',
    'id',
    'name',
    'arguments',
    '_meta',
    'historyLength',
    'configuration',
    'parts',
    'role',
    'messageId',
    'taskId',
    'metadata',
    'text',
    'kind',
  ];
  for (let i = rng.int(5); i > 0; i--)
    p[rng.pick(fields)] = rng.chance(0.4) ? randomParams(rng) : randomJson(rng, 2);
  return p;
}

/** JSON text of `value`, sometimes damaged (cut, a byte changed, invalid UTF-8 spliced in). */
export function jsonBytes(rng: Rng, value: unknown): Uint8Array {
  const text = Buffer.from(JSON.stringify(value) ?? 'null');
  if (rng.chance(0.8)) return text;
  return mutateBytes(rng, text, Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0x7b, 0x22, 0x5c]));
}

/** The fuzz count and seed: FUZZ_COUNT and FUZZ_SEED (npm run fuzz sets them), else the defaults. */
export function fuzzSettings(defaultCount: number): { count: number; seed: number } {
  const count = Number(process.env['FUZZ_COUNT'] ?? defaultCount);
  const seed = Number(process.env['FUZZ_SEED'] ?? 0x5eed);
  return { count: Number.isFinite(count) && count > 0 ? count : defaultCount, seed };
}
