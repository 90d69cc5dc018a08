#!/usr/bin/env node
// Bundles the compiled gateway (dist/src/cli/main.js and everything it imports) into dist/bundle/,
// which bin/slim-gateway runs (BENCHMARKS.md, "One bundle"): one module graph of a few chunks
// instead of ~600 modules, without the code nothing calls (most of zod's locales, for one),
// minified, so an idle gateway holds less of V8's heap (module sources and records).
// Commands, the MCP and A2A adapters, the warm-up and tracing stay in chunks of their own, loaded
// on use as before. Modules the code loads through createRequire (hash-wasm's per-algorithm files,
// pino-pretty) are read from node_modules at run time. Run by `npm run build` after tsc; the tests
// import dist/src/ and run the bin, so both are tested. The MCP benchmark bundles its gateway
// process with the same options (bench/support/processes.ts).
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Bundles `entry` (a path under the repository root) into `outdir`, emptied first, as `main.js`. */
export async function bundleGateway(entry, outdir) {
  rmSync(outdir, { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: { main: entry },
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
    // Whitespace and syntax minified (an idle gateway holds ~2-3 MiB less than unminified:
    // BENCHMARKS.md, "One bundle"); identifiers are not, so functions and classes keep their names
    // in error names, logs and stack traces without esbuild's keepNames, which would rename every
    // named closure at each creation (a cost on the call path). A trace's positions lead back to
    // dist/src/ through the maps next to the chunks (`node --enable-source-maps`).
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  await bundleGateway('dist/src/cli/main.js', `${root}dist/bundle`);
