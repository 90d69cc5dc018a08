// MCP through two gateways and a SLIM node on three hosts (the network namespaces of netns.ts): the
// client host runs the client-side gateway (`slim-gateway stdio`, driven by the MCP SDK's stdio
// client, or `slim-gateway run` reached over a veth), the server host `slim-gateway run` with a
// counting MCP server (test/fixtures/network/counting-server.ts: it writes each call's key to a
// file, the end-to-end count), the node host our node (`slim-gateway node`) or the reference node
// (Rust core from npm, test/fixtures/reference/config-node.mjs). Shared by the network tests
// (test/network) and the network benchmark (bench/network.bench.ts), which drive the same faults:
// random loss, a partition of the server host, a node killed and restarted under load. Everything
// made here is removed through `t.after`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Child } from './child.js';
import { BIN } from './gateway-process.js';
import { NetLab } from './netns.js';
import { REPO_ROOT } from './paths.js';
import { SHARED_SECRET } from './real-gateway.js';
import { until } from './until.js';

const NODE_PORT = 46357;
const SERVER = join(REPO_ROOT, 'dist', 'test', 'fixtures', 'network', 'counting-server.js');
const REFERENCE_NODE = join(REPO_ROOT, 'test', 'fixtures', 'reference', 'config-node.mjs');
const ROUTE = '/mcp/counter';
const BEARER = 'net-test-bearer-token-0123456789-0123456789';
/** The SDK's own limit per call, by default: far above any route deadline, so a gateway error comes first. */
export const SDK_TIMEOUT_MS = 90_000;
const LOGS = {
  SLIM_GATEWAY_LOG_FORMAT: 'json',
  SLIM_GATEWAY_LOG_LEVEL: process.env['GATEWAY_DEBUG'] ?? 'info',
};

export type After = { after: (fn: () => void | Promise<void>) => void };

/** Which SLIM node runs on the node host. */
export type NodeKind = 'ours' | 'reference';

export interface Outcome {
  readonly key: string;
  readonly ok: boolean;
  readonly text: string;
  readonly ms: number;
}

export interface NetworkOptions {
  /** The route's deadline (`timeoutMs` of the client-side gateway's route). */
  readonly routeTimeoutMs: number;
  /** How the client reaches the client-side gateway (default stdio). */
  readonly front?: 'stdio' | 'http';
  /** Which node runs on the node host (default ours). */
  readonly node?: NodeKind;
  /** The MCP SDK's own per-call limit (default SDK_TIMEOUT_MS). */
  readonly sdkTimeoutMs?: number;
}

export interface Network {
  readonly lab: NetLab;
  readonly client: Client;
  readonly stderr: string[];
  /** The process ids of the client-side and the server-side gateway (for their CPU time). */
  readonly pids: { readonly client: number; readonly server: number };
  readonly sdkTimeoutMs: number;
  node: Child;
  startNode(): Promise<Child>;
  /** The keys the MCP server saw, in order. */
  seen(): string[];
  call(key: string, tool?: 'count' | 'slow', seconds?: number): Promise<Outcome>;
}

/**
 * The reference node on the node host, listening on every address of that host (its two veths) at
 * NODE_PORT; resolves once the port accepts connections there. The reference prints "ready" when
 * its config is applied, which may come before its listener is bound, so the port is checked too.
 */
async function startReferenceNodeOn(lab: NetLab, yamlFile: string): Promise<Child> {
  const node = lab.spawn('nod', process.execPath, [REFERENCE_NODE, yamlFile]);
  const output = () => [...node.stdout, ...node.stderrText].join('\n').slice(-3000);
  let gone = false;
  void node.exited.then(() => (gone = true));
  await until(
    () => {
      if (gone) throw new Error(`the reference node exited before listening:\n${output()}`);
      return (
        node.stdout.some((l) => l.includes('"event":"ready"')) &&
        lab.exec('nod', 'ss', ['-Hltn', `sport = :${NODE_PORT}`]).trim() !== ''
      );
    },
    `the reference node to listen on ${NODE_PORT}`,
    30_000,
  ).catch((err: Error) => {
    node.kill();
    throw new Error(`${err.message}\n${output()}`);
  });
  return node;
}

/** Builds the three hosts, starts the node and both gateways, and connects the MCP client. */
export async function startNetwork(t: After, options: NetworkOptions): Promise<Network> {
  const front = options.front ?? 'stdio';
  const nodeKind = options.node ?? 'ours';
  const sdkTimeoutMs = options.sdkTimeoutMs ?? SDK_TIMEOUT_MS;
  const lab = NetLab.create(t);
  const dir = mkdtempSync(join(tmpdir(), 'slim-gw-net-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const countFile = join(dir, 'count.txt');
  writeFileSync(countFile, '');

  const refYaml = join(dir, 'reference-node.yaml');
  writeFileSync(
    refYaml,
    `tracing: { log_level: info }
runtime: { n_cores: 0, thread_name: slim-net-ref, drain_timeout: 2s }
services:
  slim/0:
    node_id: net-ref
    dataplane:
      servers: [{ endpoint: "0.0.0.0:${NODE_PORT}", tls: { insecure: true } }]
      clients: []
`,
  );
  const startNode = async () => {
    if (nodeKind === 'reference') return startReferenceNodeOn(lab, refYaml);
    const node = lab.spawn('nod', process.execPath, [BIN, 'node', '--listen', `0.0.0.0:${NODE_PORT}`], LOGS);
    await node.waitForLog((l) => /SLIM node listening/.test(l.msg), 'the node to listen');
    return node;
  };
  const node = await startNode();

  const srvFile = join(dir, 'server.yaml');
  writeFileSync(
    srvFile,
    `slim: { node: "http://${lab.nodeAddress.srv}:${NODE_PORT}", name: acme/net/server, sharedSecret: ${SHARED_SECRET} }
http: { listen: "127.0.0.1:0" }
services:
  - name: acme/net/counter
    mcp:
      command: ${JSON.stringify(process.execPath)}
      args: [${JSON.stringify(SERVER)}]
      env: { COUNT_FILE: ${JSON.stringify(countFile)} }
`,
  );
  const srv = lab.spawn('srv', process.execPath, [BIN, 'run', '--config', srvFile], LOGS);
  await srv.waitForLog(
    (l) => /^slim-gateway \S+ ready$/.test(l.msg),
    'the server gateway to be ready',
    60_000,
  );

  const cliFile = join(dir, 'client.yaml');
  const slim = `slim: { node: "http://${lab.nodeAddress.cli}:${NODE_PORT}", name: acme/net/client, sharedSecret: ${SHARED_SECRET} }`;
  const routes = `routes:\n  - { path: ${ROUTE}, mcp: acme/net/counter, timeoutMs: ${options.routeTimeoutMs} }\n`;
  const stderr: string[] = [];
  const client = new Client({ name: 'net-test', version: '1.0.0' });
  let transport: Transport;
  let clientPid: () => number | null;
  if (front === 'stdio') {
    writeFileSync(cliFile, `${slim}\n${routes}`);
    // `ip netns exec` enters the namespace and then execs the command: the child's pid is the gateway's.
    const stdio = new StdioClientTransport({
      command: 'ip',
      args: [
        'netns',
        'exec',
        lab.ns('cli'),
        process.execPath,
        BIN,
        'stdio',
        '--config',
        cliFile,
        '--route',
        ROUTE,
      ],
      env: { ...(process.env as Record<string, string>), ...LOGS },
      stderr: 'pipe',
    });
    (stdio.stderr as Readable | null)?.on('data', (d: Buffer) => stderr.push(d.toString()));
    transport = stdio;
    clientPid = () => stdio.pid;
  } else {
    // `slim-gateway run` on the client host; this process reaches its HTTP endpoint over a veth.
    const [, clientHost] = lab.exposeClientHost();
    writeFileSync(
      cliFile,
      `${slim}\nhttp: { listen: "0.0.0.0:8080", allowNonLoopback: true, bearerTokens: [${BEARER}] }\n${routes}`,
    );
    const cli = lab.spawn('cli', process.execPath, [BIN, 'run', '--config', cliFile], LOGS);
    await cli.waitForLog(
      (l) => /^slim-gateway \S+ ready$/.test(l.msg),
      'the client gateway to be ready',
      60_000,
    );
    transport = new StreamableHTTPClientTransport(new URL(`http://${clientHost}:8080${ROUTE}`), {
      requestInit: { headers: { authorization: `Bearer ${BEARER}` } },
    }) as Transport;
    clientPid = () => cli.proc.pid ?? null;
  }
  try {
    await client.connect(transport, { timeout: 60_000 });
  } catch (err) {
    throw new Error(
      `the client-side gateway did not connect: ${String(err)}\n${stderr.join('').slice(-4000)}`,
    );
  }
  t.after(() => client.close());
  const cliPid = clientPid();
  if (cliPid === null || srv.proc.pid === undefined) throw new Error('a gateway process has no pid');

  const net: Network = {
    lab,
    client,
    stderr,
    pids: { client: cliPid, server: srv.proc.pid },
    sdkTimeoutMs,
    node,
    startNode,
    seen: () => readFileSync(countFile, 'utf8').split('\n').filter(Boolean),
    async call(key, tool = 'count', seconds = 0) {
      const started = performance.now();
      try {
        const res = await client.callTool({ name: tool, arguments: { key, seconds } }, undefined, {
          timeout: sdkTimeoutMs,
        });
        const text = (res.content as { text?: string }[])[0]?.text ?? '';
        if (res.isError)
          return { key, ok: false, text: `tool error: ${text}`, ms: performance.now() - started };
        return { key, ok: text === key, text, ms: performance.now() - started };
      } catch (err) {
        return { key, ok: false, text: (err as Error).message, ms: performance.now() - started };
      }
    },
  };
  return net;
}

/** Runs `count` for each key with `concurrency` workers; every call's outcome. */
export async function callAll(net: Network, keys: string[], concurrency: number): Promise<Outcome[]> {
  const out: Outcome[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < keys.length) out.push(await net.call(keys[next++]!));
    }),
  );
  return out;
}

/** What the MCP server's count says about a set of calls (the end-to-end check). */
export interface Count {
  /** Keys the server saw more than once. */
  readonly duplicated: string[];
  /** Calls answered as successes that the server never saw (impossible unless a call is lost). */
  readonly answeredUnseen: string[];
  /** Calls that failed without the gateway saying why (the client's own timeout fired). */
  readonly failedSilently: string[];
}

export function countOutcomes(net: Network, outcomes: readonly Outcome[]): Count {
  const times = new Map<string, number>();
  for (const k of net.seen()) times.set(k, (times.get(k) ?? 0) + 1);
  return {
    duplicated: [...times].filter(([, n]) => n > 1).map(([k]) => k),
    answeredUnseen: outcomes.filter((o) => o.ok && times.get(o.key) !== 1).map((o) => o.key),
    // The SDK's own timeout says "Request timed out" and comes only after sdkTimeoutMs; a
    // gateway's error names a deadline, an unavailable peer or SLIM.
    failedSilently: outcomes
      .filter((o) => !o.ok && (o.text.length === 0 || o.ms >= net.sdkTimeoutMs))
      .map((o) => o.key),
  };
}

export const summary = (outcomes: readonly Outcome[]) => {
  const ok = outcomes.filter((o) => o.ok);
  const ms = ok.map((o) => o.ms).sort((a, b) => a - b);
  return {
    calls: outcomes.length,
    ok: ok.length,
    failed: outcomes.length - ok.length,
    p50Ms: Math.round(ms[Math.floor(ms.length / 2)] ?? 0),
    maxMs: Math.round(ms[ms.length - 1] ?? 0),
    slowestFailureMs: Math.round(Math.max(0, ...outcomes.filter((o) => !o.ok).map((o) => o.ms))),
    reasons: [...new Set(outcomes.filter((o) => !o.ok).map((o) => o.text.slice(0, 160)))],
  };
};

export interface PartitionResult {
  /** The calls in flight when the cut came (slow ones) and those started during it. */
  readonly inflight: readonly Outcome[];
  readonly during: readonly Outcome[];
  /** From the cut to the heal, ms. */
  readonly partitionMs: number;
  /** From the heal to the end of the first call that succeeded after it (undefined: none in 60 s). */
  readonly recoveryMs: number | undefined;
  /** Every call made after the heal until that first success. */
  readonly after: readonly Outcome[];
}

/**
 * Cuts the server host off for `ms` while 5 slow calls (3 s each) are in flight and 3 more start
 * during the cut; heals it, waits for those to end, then calls until one succeeds (60 s at most).
 */
export async function partitionServerHost(net: Network, ms: number, tag = ''): Promise<PartitionResult> {
  const inflightCalls = Array.from({ length: 5 }, (_, i) => net.call(`${tag}cut-${i}`, 'slow', 3));
  await new Promise((r) => setTimeout(r, 200));
  net.lab.partition('srv', true);
  const cutAt = performance.now();
  const duringCalls = Array.from({ length: 3 }, (_, i) => net.call(`${tag}during-${i}`));
  await new Promise((r) => setTimeout(r, ms));
  net.lab.partition('srv', false);
  const healedAt = performance.now();
  const inflight = await Promise.all(inflightCalls);
  const during = await Promise.all(duringCalls);
  const after: Outcome[] = [];
  let recoveryMs: number | undefined;
  for (let i = 0; performance.now() - healedAt < 60_000; i++) {
    const o = await net.call(`${tag}after-${i}`);
    after.push(o);
    if (o.ok) {
      recoveryMs = Math.round(performance.now() - healedAt);
      break;
    }
  }
  return { inflight, during, partitionMs: Math.round(healedAt - cutAt), recoveryMs, after };
}

export interface RestartResult {
  readonly outcomes: Outcome[];
  /** Calls started; equals outcomes.length once every call has ended. */
  readonly started: number;
  /** From the restart to the end of the first success of a call started after it. */
  readonly recoveryMs: number;
  /** From the restart (the old node gone) to the new node listening: part of recoveryMs. */
  readonly nodeUpMs: number;
}

/**
 * Kills the node on the node host (SIGKILL) while 5 workers keep calling, starts it again on the
 * same address, and waits for a call started after the restart to succeed; then a little more
 * load, and every worker stops and lets its call end. Throws when no call succeeds before the
 * restart, or none started after it succeeds within 60 s.
 */
export async function restartUnderLoad(net: Network, tag = ''): Promise<RestartResult> {
  const outcomes: Outcome[] = [];
  let stop = false;
  let n = 0;
  let restartedAt = 0;
  let firstAfter: number | undefined;
  let nodeUpMs = 0;
  const workers = Array.from({ length: 5 }, async () => {
    while (!stop) {
      const o = await net.call(`${tag}load-${n++}`);
      outcomes.push(o);
      if (o.ok && restartedAt > 0 && firstAfter === undefined && performance.now() - o.ms > restartedAt)
        firstAfter = performance.now();
    }
  });
  try {
    for (let i = 0; i < 200 && outcomes.filter((o) => o.ok).length < 20; i++)
      await new Promise((r) => setTimeout(r, 50));
    if (!outcomes.some((o) => o.ok))
      throw new Error(`no call succeeded before the restart: ${JSON.stringify(summary(outcomes))}`);

    net.node.kill();
    await net.node.exit();
    restartedAt = performance.now();
    net.node = await net.startNode();
    nodeUpMs = Math.round(performance.now() - restartedAt);
    for (let i = 0; i < 1_200 && firstAfter === undefined; i++) await new Promise((r) => setTimeout(r, 50));
    // A little more load after recovery, then stop and let every call end.
    const okBefore = outcomes.filter((o) => o.ok).length;
    for (let i = 0; i < 200 && outcomes.filter((o) => o.ok).length < okBefore + 10; i++)
      await new Promise((r) => setTimeout(r, 50));
  } finally {
    stop = true;
    await Promise.all(workers);
  }
  if (firstAfter === undefined)
    throw new Error(
      `no call started after the restart succeeded within 60 s: ${JSON.stringify(summary(outcomes))}\n` +
        net.stderr.join('').slice(-3000),
    );
  return { outcomes, started: n, recoveryMs: Math.round(firstAfter - restartedAt), nodeUpMs };
}
