// A gateway process for the MCP benchmark: the production deps (src/gateway/real-deps.ts) built
// from a configuration file, like `slim-gateway run`, with one addition for measuring: a `mem` line
// on stdin prints this process's memory (after a full GC when run with --expose-gc) as one JSON
// line on stdout (with its open file descriptors), and a `reload` line re-reads the configuration
// file and applies it as `slim-gateway run` does when the file changes.
//   node --expose-gc gateway-process.js CONFIG   ->  {"event":"ready","url":...,"node":...}
import { readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { loadConfigFile } from '../../src/config/load.js';
import { createGateway } from '../../src/gateway/index.js';
import { realDeps } from '../../src/gateway/real-deps.js';
import type { RealNode } from '../../src/gateway/real-deps.js';
import { silentLogger } from '../../src/util/log.js';

const config = loadConfigFile(process.argv[2]!, process.env);
const real = realDeps();
let node: RealNode | undefined;
const gw = await createGateway(
  config,
  {
    ...real,
    startNode: async (o) => (node = await real.startNode(o)),
  },
  { logger: silentLogger, processEnv: process.env },
);
const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
out({ event: 'ready', url: gw.url, node: node ? `http://${node.address}` : undefined });
createInterface({ input: process.stdin }).on('line', (line) => {
  const command = line.trim();
  if (command === 'reload') {
    gw.reload(loadConfigFile(process.argv[2]!, process.env)).then(
      () => out({ event: 'reloaded' }),
      (err: unknown) => out({ event: 'reloaded', error: String(err) }),
    );
    return;
  }
  if (command !== 'mem') return;
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  const fds = readdirSync('/proc/self/fd').length;
  out({ event: 'mem', rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, fds });
});
const stop = () => void gw.close(0).then(() => process.exit(0));
process.once('SIGTERM', stop);
process.stdin.once('end', stop);
