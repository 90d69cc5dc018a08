#!/usr/bin/env node
// Bundles the compiled gateway (dist/src/cli/main.js and everything it imports) into dist/bundle/,
// which bin/slim-gateway runs (BENCHMARKS.md, "One bundle"): one module graph of a few chunks
// instead of ~600 modules, without the code nothing calls (most of zod's locales, for one), and
// without comments. An idle gateway holds ~10 MiB less (module sources and records in V8's heap)
// and starts sooner. Commands, the MCP and A2A adapters, the warm-up and tracing stay in chunks of
// their own, loaded on use as before. Modules the code loads through createRequire (hash-wasm's
// per-algorithm files, pino-pretty) are read from node_modules at run time. Run by `npm run build`
// after tsc; the tests import dist/src/ and run the bin, so both are tested.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const outdir = `${root}dist/bundle`;
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { main: 'dist/src/cli/main.js' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Bundled CommonJS dependencies (grpc-js, pino, ...) call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);",
  },
  // Whitespace stays, so that a stack trace's line points at readable code (its map, dist/bundle/
  // *.js.map, leads back to dist/src/); minifying it too took another ~1.5 MiB off the heap.
  minifySyntax: true,
  // Class and function names stay as written (error names, logs, stack traces).
  keepNames: true,
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
});
