// A gateway process for the MCP benchmark: the production deps (src/gateway/real-deps.ts) built
// from a configuration file, like `slim-gateway run`, with one addition for measuring: a `mem` line
// on stdin prints this process's memory (after a full GC when run with --expose-gc) as one JSON
// line on stdout (with its open file descriptors), and a `reload` line re-reads the configuration
// file and applies it as `slim-gateway run` does when the file changes. A request line may start
// with a numeric id (`7 mem`); its reply carries that id, so replies that finish out of order (a
// reload takes a while) are matched to their request (bench/support/processes.ts).
// Like `run`, it warms up before it reports ready (src/gateway/warm-up.ts); MCP_BENCH_WARM_UP_MS
// sets the warm-up's CPU budget (0: none), to measure the first calls with and without it.
//   node --expose-gc gateway-process.js CONFIG
//     ->  {"event":"ready","url":...,"node":...,"startMs":...,"warmUp":...}
import { readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { loadConfigFile } from '../../src/config/load.js';
import { createGateway } from '../../src/gateway/index.js';
import { realDeps } from '../../src/gateway/real-deps.js';
import { warmUp } from '../../src/gateway/warm-up.js';
import type { WarmUpReport } from '../../src/gateway/warm-up.js';
import type { RealNode } from '../../src/gateway/real-deps.js';
import { silentLogger } from '../../src/util/log.js';
import { envCount } from '../harness.js';

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
// Unset: the gateway's own warm-up; 0: none; N: N ms of CPU, however many calls that takes.
const budget =
  process.env['MCP_BENCH_WARM_UP_MS'] === undefined ? undefined : envCount('MCP_BENCH_WARM_UP_MS', 0);
let warmed: WarmUpReport | undefined;
if (budget !== 0 && config.warmUp)
  warmed = await warmUp({
    logger: silentLogger,
    ...(budget === undefined ? {} : { cpuBudgetMs: budget, maxCalls: Number.MAX_SAFE_INTEGER }),
  });
const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
out({
  event: 'ready',
  url: gw.url,
  node: node ? `http://${node.address}` : undefined,
  // From process start (modules loaded, gateway started, warmed up) to here.
  startMs: (process.uptime() * 1000).toFixed(0),
  warmUp: warmed ? `${warmed.calls} calls, ${warmed.cpuMs} ms CPU, ${warmed.wallMs} ms` : 'none',
});
createInterface({ input: process.stdin }).on('line', (line) => {
  const m = /^(?:(\d+) +)?(\S+)$/.exec(line.trim());
  if (!m) return;
  const id = m[1] === undefined ? undefined : Number(m[1]);
  const command = m[2];
  const reply = (o: Record<string, unknown>) => out(id === undefined ? o : { id, ...o });
  if (command === 'reload') {
    gw.reload(loadConfigFile(process.argv[2]!, process.env)).then(
      () => reply({ event: 'reloaded' }),
      (err: unknown) => reply({ event: 'reloaded', error: String(err) }),
    );
    return;
  }
  if (command !== 'mem') {
    reply({ event: 'error', error: `unknown command: ${command}` });
    return;
  }
  (globalThis as { gc?: () => void }).gc?.();
  const mu = process.memoryUsage();
  const fds = readdirSync('/proc/self/fd').length;
  reply({
    event: 'mem',
    rss: mu.rss,
    heapUsed: mu.heapUsed,
    heapTotal: mu.heapTotal,
    external: mu.external,
    fds,
  });
});
const stop = () => void gw.close(0).then(() => process.exit(0));
process.once('SIGTERM', stop);
process.stdin.once('end', stop);
