// The V8 flags every gateway process starts with (BENCHMARKS.md, "Idle memory"): a young
// generation of at most 1 MiB per semi-space (V8 grows it to 16 MiB during start-up's module
// loading and never gives it back: ~10 MiB of RSS), and one V8 worker thread instead of four (each
// thread's stack and malloc arena: ~3 MiB). At 1 client neither costs measurable CPU per call; at
// 32 clients the small young generation may cost up to ~10 % (BENCHMARKS.md, "Where the
// performance aims stand": two pairs, not conclusive). V8 reads them
// only when the process starts, so they sit where gateway processes are started: the launcher's
// `#!` line (bin/slim-gateway), `npm start` and the container's ENTRYPOINT, which
// test/integration/node-flags.test.ts keeps in step with this list. `node bin/slim-gateway` without them
// works the same, with the larger footprint.
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--v8-pool-size=1'];
