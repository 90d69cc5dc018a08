// Hash functions that SLIM names are built from (docs/dataplane.md#names-and-hashes): XXH64 with
// seed 0 over the component's UTF-8 bytes followed by one 0xFF byte (an artefact of Rust's `Hash
// for str`), and XXH3-128 (seed 0, default secret) for instance ids. Verified against
// vectors/kat.json.
// hash-wasm's entry point carries the WebAssembly of every one of its ~30 algorithms (~4.5 MiB of
// RSS once loaded); its per-algorithm bundles load the two we use (BENCHMARKS.md, "Idle memory").
import { createRequire } from 'node:module';
import type * as HashWasm from 'hash-wasm';

const load = createRequire(import.meta.url);
const { createXXHash64 } = load('hash-wasm/dist/xxhash64.umd.min.js') as Pick<
  typeof HashWasm,
  'createXXHash64'
>;
const { createXXHash128 } = load('hash-wasm/dist/xxhash128.umd.min.js') as Pick<
  typeof HashWasm,
  'createXXHash128'
>;

const xxh64 = await createXXHash64(0, 0);
const xxh3Seeded = new Map<number, Awaited<ReturnType<typeof createXXHash128>>>();
xxh3Seeded.set(0, await createXXHash128(0, 0));

const encoder = new TextEncoder();
const TERMINATOR = new Uint8Array([0xff]);

/** XXH64(utf8(s) ‖ 0xFF), as the reference hashes each name component. */
export function componentHash(component: string): bigint {
  xxh64.init();
  xxh64.update(encoder.encode(component));
  xxh64.update(TERMINATOR);
  return BigInt('0x' + xxh64.digest('hex'));
}

/** XXH3-128 of the UTF-8 bytes of `text` with a small seed, as an unsigned 128-bit integer. */
export async function xxh3_128Async(text: string, seed: number): Promise<bigint> {
  let h = xxh3Seeded.get(seed);
  if (!h) {
    h = await createXXHash128(seed, 0);
    xxh3Seeded.set(seed, h);
  }
  return xxh3_128With(h, text);
}

/** XXH3-128 with seed 0 (synchronous; the common case). */
export function xxh3_128(text: string): bigint {
  return xxh3_128With(xxh3Seeded.get(0)!, text);
}

function xxh3_128With(h: Awaited<ReturnType<typeof createXXHash128>>, text: string): bigint {
  h.init();
  h.update(encoder.encode(text));
  return BigInt('0x' + h.digest('hex'));
}

// Seeds 1..10 are used only when a group's data and control ids collide; prepare them up front so
// that channel-id derivation stays synchronous.
for (let seed = 1; seed <= 10; seed++) xxh3Seeded.set(seed, await createXXHash128(seed, 0));

/** XXH3-128 with a seed in 0..10 (synchronous). */
export function xxh3_128Seeded(text: string, seed: number): bigint {
  const h = xxh3Seeded.get(seed);
  if (!h) throw new RangeError(`xxh3 seed ${seed} not prepared`);
  return xxh3_128With(h, text);
}
