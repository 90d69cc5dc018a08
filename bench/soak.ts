// `npm run soak -- DURATION` (e.g. 10m, 1h; default 5m): a long run of ordinary traffic through
// two gateways, to see whether memory, file descriptors and latency stay flat (BENCHMARKS.md,
// "Soak"). Laid out as in production, one process each: an MCP server on Streamable HTTP, the
// server-side gateway (embedded SLIM node, two services on that server), the client-side gateway
// (a route to one service and a group route), MLS on. Traffic, all bounded by the duration:
// - steady: 4 MCP clients, each calling `echo` about 10 times a second on the single route;
// - churn: every 2 s a new client connects, makes 5 calls and goes, half of them ending the session
//   with DELETE and half simply closing (as the SDK's `client.close()` does: the gateway must
//   reclaim those);
// - group: every 30 s the group route's members change (one member joins, then leaves again) by a
//   reload of the client-side configuration, and a group client lists tools every 5 s.
// Every minute it prints one JSON line: RSS, heap and open file descriptors of both gateways, p50
// and p99 of the minute's steady calls, calls made and failed. At the end: growth per hour of RSS
// and heap from the first minute after warm-up to the last, written to soak-results.json. Memory
// and reloads are requests to the gateway processes, each reply matched to its request by id
// (bench/support/processes.ts); a memory reading that does not come marks its sample incomplete
// with the reason, and any incomplete sample makes the soak exit with status 1.
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { summarize } from './harness.js';
import { startProc } from './support/processes.js';
import type { Memory, Proc } from './support/processes.js';

const SECRET = 'soak-shared-secret-0123456789-0123456789';
const MiB = 2 ** 20;

function parseDuration(text: string | undefined): number {
  const m = /^(\d+)(s|m|h)?$/.exec(text ?? '5m');
  if (!m) throw new Error(`duration: expected a number with s, m or h (e.g. 10m), got ${text}`);
  const unit = m[2] === 'h' ? 3_600_000 : m[2] === 's' ? 1000 : 60_000;
  return Number(m[1]) * unit;
}

const durationMs = parseDuration(process.argv[2]);
const sampleMs = Math.min(60_000, Math.max(5_000, durationMs / 10));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function connect(url: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: 'soak', version: '1' });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  return { client, transport };
}
const echo = (c: Client) => c.callTool({ name: 'echo', arguments: { text: 'soak' } });

interface Minute {
  latencies: number[];
  calls: number;
  failed: number;
  sessions: number;
  groupChanges: number;
}
const fresh = (): Minute => ({ latencies: [], calls: 0, failed: 0, sessions: 0, groupChanges: 0 });

const dir = mkdtempSync(join(tmpdir(), 'slim-gw-soak-'));
const procs: Proc[] = [];
try {
  const backend = await startProc('mcp-http-server.js', []);
  procs.push(backend);
  const url = backend.ready['url']!;
  const serverFile = join(dir, 'server.yaml');
  writeFileSync(
    serverFile,
    `slim: { node: embedded, listen: "127.0.0.1:0", name: acme/soak/server-gateway, sharedSecret: ${SECRET} }
http: { listen: "127.0.0.1:0" }
services:
  - { name: acme/soak/tools, mcp: { url: "${url}" } }
  - { name: acme/soak/tools-b, mcp: { url: "${url}" } }
`,
  );
  const server = await startProc('gateway-process.js', [serverFile]);
  procs.push(server);
  const clientFile = join(dir, 'client.yaml');
  const clientConfig = (members: string[]) =>
    `slim: { node: "${server.ready['node']}", name: acme/soak/gateway, sharedSecret: ${SECRET} }
http: { listen: "127.0.0.1:0" }
routes:
  - { path: /mcp/tools, mcp: acme/soak/tools }
  - { path: /mcp/all, mcp: { group: [${members.join(', ')}] } }
`;
  writeFileSync(clientFile, clientConfig(['acme/soak/tools']));
  const client = await startProc('gateway-process.js', [clientFile]);
  procs.push(client);
  const base = client.ready['url']!;

  let minute = fresh();
  const until = Date.now() + durationMs;
  const running = () => Date.now() < until;

  const steady = Array.from({ length: 4 }, async () => {
    const { client: c } = await connect(`${base}/mcp/tools`);
    while (running()) {
      const t = performance.now();
      try {
        await echo(c);
        minute.latencies.push(performance.now() - t);
      } catch {
        minute.failed++;
      }
      minute.calls++;
      await sleep(100);
    }
    await c.close();
  });

  const churn = (async () => {
    for (let i = 0; running(); i++) {
      try {
        const { client: c, transport } = await connect(`${base}/mcp/tools`);
        for (let k = 0; k < 5; k++) await echo(c);
        if (i % 2 === 0) await transport.terminateSession();
        await c.close();
        minute.sessions++;
      } catch {
        minute.failed++;
      }
      await sleep(2000);
    }
  })();

  const group = (async () => {
    const { client: g } = await connect(`${base}/mcp/all`);
    let joined = false;
    let lastChange = Date.now();
    while (running()) {
      try {
        await g.listTools();
      } catch {
        minute.failed++;
      }
      if (Date.now() - lastChange >= 30_000) {
        joined = !joined;
        writeFileSync(
          clientFile,
          clientConfig(joined ? ['acme/soak/tools', 'acme/soak/tools-b'] : ['acme/soak/tools']),
        );
        const answer = await client.ask('reload');
        if (answer['error']) throw new Error(`reload failed: ${String(answer['error'])}`);
        minute.groupChanges++;
        lastChange = Date.now();
      }
      await sleep(5000);
    }
    await g.close();
  })();

  const samples: Record<string, unknown>[] = [];
  const mem = (m: Memory) => ({
    rssMiB: +(m.rss / MiB).toFixed(1),
    heapMiB: +(m.heapUsed / MiB).toFixed(1),
    fds: m.fds,
  });
  /** One gateway's memory, or the reason it could not be read (the sample is then incomplete). */
  const reading = async (p: Proc) => {
    try {
      return mem(await p.mem());
    } catch (err) {
      return { error: (err as Error).message };
    }
  };
  let incomplete = 0;
  const sampler = (async () => {
    const started = Date.now();
    while (running()) {
      await sleep(Math.min(sampleMs, Math.max(0, until - Date.now())));
      const m = minute;
      minute = fresh();
      const { p50, p99 } = m.latencies.length ? summarize(m.latencies) : { p50: NaN, p99: NaN };
      const [clientMem, serverMem] = await Promise.all([reading(client), reading(server)]);
      if ('error' in clientMem || 'error' in serverMem) incomplete++;
      const sample = {
        atS: Math.round((Date.now() - started) / 1000),
        client: clientMem,
        server: serverMem,
        p50Ms: +p50.toFixed(2),
        p99Ms: +p99.toFixed(2),
        calls: m.calls,
        failed: m.failed,
        sessions: m.sessions,
        groupChanges: m.groupChanges,
      };
      samples.push(sample);
      console.log(JSON.stringify(sample));
    }
  })();

  await Promise.all([...steady, churn, group, sampler]);
  // Growth from the first sample after warm-up (the second one) to the last, per hour.
  const first = samples[Math.min(1, samples.length - 1)] as
    | {
        atS: number;
        client: { rssMiB: number; heapMiB: number };
        server: { rssMiB: number; heapMiB: number };
      }
    | undefined;
  const last = samples.at(-1) as typeof first;
  const hours = first && last && last.atS > first.atS ? (last.atS - first.atS) / 3600 : 0;
  const growth = (side: 'client' | 'server') =>
    hours > 0 && first && last && 'rssMiB' in first[side] && 'rssMiB' in last[side]
      ? {
          rssMiBPerHour: +((last[side].rssMiB - first[side].rssMiB) / hours).toFixed(1),
          heapMiBPerHour: +((last[side].heapMiB - first[side].heapMiB) / hours).toFixed(1),
        }
      : undefined;
  const failed = samples.reduce((n, s) => n + (s['failed'] as number), 0);
  const calls = samples.reduce((n, s) => n + (s['calls'] as number), 0);
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    durationS: durationMs / 1000,
    calls,
    failed,
    incompleteSamples: incomplete,
    growth: { client: growth('client'), server: growth('server') },
    samples,
  };
  writeFileSync('soak-results.json', JSON.stringify(result, null, 2));
  console.log(JSON.stringify({ calls, failed, incompleteSamples: incomplete, growth: result.growth }));
  if (incomplete > 0) {
    console.error(`soak: ${incomplete} of ${samples.length} samples incomplete (see their "error")`);
    process.exitCode = 1;
  }
} finally {
  for (const p of procs.reverse()) await p.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(process.exitCode ?? 0);
