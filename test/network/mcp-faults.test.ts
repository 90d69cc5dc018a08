// Network: MCP through two gateways and our SLIM node on three hosts (Linux network namespaces,
// test/support/netns.ts): the client host runs `slim-gateway stdio` (the client-side gateway, driven
// by the MCP SDK's stdio client), the server host `slim-gateway run` with a counting MCP server, the
// node host `slim-gateway node`. Faults come from iptables: 5% random packet loss on every host, a
// 10 s partition of the server host, a node killed and restarted under load; that last one also with
// the reference SLIM node (Rust core from npm, test/fixtures/reference/config-node.mjs) on the node
// host instead of ours. Every call must end
// (an answer, or an error saying why), none may be lost silently, and the server must never see a
// call twice (it writes each call's key to a file: the end-to-end count). Times are reported, not
// asserted. These tests need root, iproute2 and iptables (.ci/run installs them) and FAIL when the
// namespaces (or the reference node) cannot be made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { BIN } from '../support/gateway-process.js';
import type { Child } from '../support/child.js';
import { NetLab } from '../support/netns.js';
import { REPO_ROOT } from '../support/paths.js';
import { SHARED_SECRET } from '../support/real-gateway.js';
import { until } from '../support/until.js';

const NODE_PORT = 46357;
const SERVER = join(REPO_ROOT, 'dist', 'test', 'fixtures', 'network', 'counting-server.js');
const REFERENCE_NODE = join(REPO_ROOT, 'test', 'fixtures', 'reference', 'config-node.mjs');
const ROUTE = '/mcp/counter';
const BEARER = 'net-test-bearer-token-0123456789-0123456789';
/** The SDK's own limit per call: far above the route deadline, so a gateway error comes first. */
const SDK_TIMEOUT_MS = 90_000;
const LOGS = {
  SLIM_GATEWAY_LOG_FORMAT: 'json',
  SLIM_GATEWAY_LOG_LEVEL: process.env['GATEWAY_DEBUG'] ?? 'info',
};

type After = { after: (fn: () => void | Promise<void>) => void };

/** Which SLIM node runs on the node host. */
type NodeKind = 'ours' | 'reference';

interface Outcome {
  readonly key: string;
  readonly ok: boolean;
  readonly text: string;
  readonly ms: number;
}

interface Network {
  readonly lab: NetLab;
  readonly client: Client;
  readonly stderr: string[];
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

async function startNetwork(
  t: After,
  routeTimeoutMs: number,
  front: 'stdio' | 'http' = 'stdio',
  nodeKind: NodeKind = 'ours',
): Promise<Network> {
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
  const routes = `routes:\n  - { path: ${ROUTE}, mcp: acme/net/counter, timeoutMs: ${routeTimeoutMs} }\n`;
  const stderr: string[] = [];
  const client = new Client({ name: 'net-test', version: '1.0.0' });
  let transport: Transport;
  if (front === 'stdio') {
    writeFileSync(cliFile, `${slim}\n${routes}`);
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
  }
  try {
    await client.connect(transport, { timeout: 60_000 });
  } catch (err) {
    throw new Error(
      `the client-side gateway did not connect: ${String(err)}\n${stderr.join('').slice(-4000)}`,
    );
  }
  t.after(() => client.close());

  const net: Network = {
    lab,
    client,
    stderr,
    node,
    startNode,
    seen: () => readFileSync(countFile, 'utf8').split('\n').filter(Boolean),
    async call(key, tool = 'count', seconds = 0) {
      const started = performance.now();
      try {
        const res = await client.callTool({ name: tool, arguments: { key, seconds } }, undefined, {
          timeout: SDK_TIMEOUT_MS,
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
async function callAll(net: Network, keys: string[], concurrency: number): Promise<Outcome[]> {
  const out: Outcome[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < keys.length) out.push(await net.call(keys[next++]!));
    }),
  );
  return out;
}

/** Each key the server saw at most once; every success seen exactly once. */
function assertCounted(net: Network, outcomes: readonly Outcome[]): void {
  const seen = net.seen();
  const times = new Map<string, number>();
  for (const k of seen) times.set(k, (times.get(k) ?? 0) + 1);
  const twice = [...times].filter(([, n]) => n > 1).map(([k]) => k);
  assert.deepEqual(twice, [], 'no call reached the server twice');
  for (const o of outcomes) if (o.ok) assert.equal(times.get(o.key), 1, `${o.key} answered and seen once`);
  for (const o of outcomes) if (!o.ok) assert.ok(o.text.length > 0, `${o.key} failed with a reason`);
}

const summary = (outcomes: readonly Outcome[]) => {
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

test(
  '5% random packet loss on every host: 100 calls each answered or failed clearly, none lost or doubled',
  { timeout: 110_000 },
  async (t) => {
    const net = await startNetwork(t, 30_000);
    net.lab.loss(0.05);
    const keys = Array.from({ length: 100 }, (_, i) => `loss-${i}`);
    const outcomes = await callAll(net, keys, 10);
    net.lab.loss(0);
    assert.equal(outcomes.length, 100, 'every call ended');
    assertCounted(net, outcomes);
    const s = summary(outcomes);
    t.diagnostic(`5% loss: ${JSON.stringify(s)}`);
    assert.ok(s.ok > 0, `calls get through a lossy network: ${JSON.stringify(s)}`);
  },
);

test(
  '5% random packet loss, through the HTTP route of slim-gateway run on the client host: 100 calls, none lost or doubled',
  { timeout: 110_000 },
  async (t) => {
    const net = await startNetwork(t, 30_000, 'http');
    net.lab.loss(0.05);
    const keys = Array.from({ length: 100 }, (_, i) => `http-loss-${i}`);
    const outcomes = await callAll(net, keys, 10);
    net.lab.loss(0);
    assert.equal(outcomes.length, 100, 'every call ended');
    assertCounted(net, outcomes);
    const s = summary(outcomes);
    t.diagnostic(`5% loss over HTTP: ${JSON.stringify(s)}`);
    assert.ok(s.ok > 0, `calls get through a lossy network: ${JSON.stringify(s)}`);
  },
);

test(
  'a 10 s partition of the server host: calls in flight fail within their deadline; new calls work after it heals',
  { timeout: 110_000 },
  async (t) => {
    const ROUTE_DEADLINE_MS = 8_000;
    const net = await startNetwork(t, ROUTE_DEADLINE_MS);
    const warm = await net.call('warm-up');
    assert.ok(warm.ok, `the route works before the partition: ${warm.text}`);

    const inflight = Array.from({ length: 5 }, (_, i) => net.call(`cut-${i}`, 'slow', 3));
    await new Promise((r) => setTimeout(r, 200));
    net.lab.partition('srv', true);
    const cutAt = performance.now();
    const during = Array.from({ length: 3 }, (_, i) => net.call(`during-${i}`));
    await new Promise((r) => setTimeout(r, 10_000));
    net.lab.partition('srv', false);
    const healedAt = performance.now();

    const ended = await Promise.all([...inflight, ...during]);
    for (const o of ended) {
      // Either it got through (answered before the cut) or the gateway said why, well before the
      // SDK's own timeout would have fired.
      if (!o.ok) {
        assert.ok(o.ms < SDK_TIMEOUT_MS, `${o.key}: failed by the gateway, not by the client giving up`);
        // The gateway's own words (the SDK's timeout would only say "Request timed out").
        assert.match(o.text, /deadline|unavailable|unreachable|SLIM/i, `${o.key}: the gateway said why`);
      }
    }

    let first: Outcome | undefined;
    for (let i = 0; performance.now() - healedAt < 60_000; i++) {
      const o = await net.call(`after-${i}`);
      if (o.ok) {
        first = o;
        break;
      }
    }
    assert.ok(
      first,
      `a call succeeds within 60 s of the partition healing, without operator action\n${net.stderr.join('').slice(-3000)}`,
    );
    const recoveryMs = Math.round(performance.now() - healedAt);
    const after = await callAll(
      net,
      Array.from({ length: 10 }, (_, i) => `steady-${i}`),
      5,
    );
    assert.deepEqual(
      after.filter((o) => !o.ok).map((o) => o.text),
      [],
      'after recovery every call succeeds',
    );
    assertCounted(net, [...ended, ...after]);
    t.diagnostic(
      `partition: in flight/during ${JSON.stringify(summary(ended))}; ` +
        `first success ${recoveryMs} ms after healing (partition ${Math.round(healedAt - cutAt)} ms)`,
    );
  },
);

/**
 * Kills the node on the node host (SIGKILL) while 5 workers keep calling, starts it again on the
 * same address, and waits for a call started after the restart to succeed; then checks that every
 * call ended and was counted once at most. Returns the outcomes and the recovery time.
 */
async function restartUnderLoad(net: Network): Promise<{ outcomes: Outcome[]; recoveryMs: number }> {
  const outcomes: Outcome[] = [];
  let stop = false;
  let n = 0;
  let restartedAt = 0;
  let firstAfter: number | undefined;
  const workers = Array.from({ length: 5 }, async () => {
    while (!stop) {
      const o = await net.call(`load-${n++}`);
      outcomes.push(o);
      if (o.ok && restartedAt > 0 && firstAfter === undefined && performance.now() - o.ms > restartedAt)
        firstAfter = performance.now();
    }
  });
  try {
    for (let i = 0; i < 200 && outcomes.filter((o) => o.ok).length < 20; i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.ok(
      outcomes.some((o) => o.ok),
      `calls succeed before the restart: ${JSON.stringify(summary(outcomes))}`,
    );

    net.node.kill();
    await net.node.exit();
    restartedAt = performance.now();
    net.node = await net.startNode();
    for (let i = 0; i < 1_200 && firstAfter === undefined; i++) await new Promise((r) => setTimeout(r, 50));
    // A little more load after recovery, then stop and let every call end.
    const okBefore = outcomes.filter((o) => o.ok).length;
    for (let i = 0; i < 200 && outcomes.filter((o) => o.ok).length < okBefore + 10; i++)
      await new Promise((r) => setTimeout(r, 50));
  } finally {
    stop = true;
    await Promise.all(workers);
  }

  assert.ok(
    firstAfter !== undefined,
    `a call started after the restart succeeds within 60 s: ${JSON.stringify(summary(outcomes))}\n` +
      net.stderr.join('').slice(-3000),
  );
  assert.equal(outcomes.length, n, 'every call started has ended');
  assertCounted(net, outcomes);
  return { outcomes, recoveryMs: Math.round(firstAfter - restartedAt) };
}

test(
  'our node killed and restarted under load: no call lost silently; recovery time reported',
  { timeout: 110_000 },
  async (t) => {
    const net = await startNetwork(t, 10_000);
    const { outcomes, recoveryMs } = await restartUnderLoad(net);
    t.diagnostic(
      `node restart: ${JSON.stringify(summary(outcomes))}; first success of a call started after the ` +
        `restart ${recoveryMs} ms after it`,
    );
  },
);

test(
  'the reference node killed and restarted under load: no call lost silently; recovery time reported',
  { timeout: 110_000 },
  async (t) => {
    const net = await startNetwork(t, 10_000, 'stdio', 'reference');
    const { outcomes, recoveryMs } = await restartUnderLoad(net);
    t.diagnostic(
      `reference node restart: ${JSON.stringify(summary(outcomes))}; first success of a call started ` +
        `after the restart ${recoveryMs} ms after it`,
    );
  },
);
