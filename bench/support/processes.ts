// Child processes for the MCP benchmark and the soak: each prints one JSON `ready` line on stdout,
// answers requests on stdin (`ID COMMAND`, e.g. `7 mem`) with one JSON line carrying the same `id`,
// and stops when stdin closes. Replies are matched to requests by that id, so a `mem` and a
// `reload` in flight at once cannot take each other's answer; a request whose reply never comes
// fails on its own timeout, naming the command. Plus the two-gateway deployment: an MCP server on
// Streamable HTTP, a server-side gateway (our embedded SLIM node and the service) and a client-side
// gateway (the route), each its own process, as in production. The gateway processes run bundled
// as bin/slim-gateway is (scripts/bundle.mjs; MCP_BENCH_BUNDLE=0: the compiled modules instead).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import { GATEWAY_NODE_FLAGS } from '../../src/cli/node-flags.js';
import { REPO_ROOT } from '../../test/support/paths.js';
import { processCpuMs } from '../harness.js';

const SUPPORT = join(REPO_ROOT, 'dist', 'bench', 'support');
const BUNDLED = join(REPO_ROOT, 'dist', 'bench-bundle');

let bundled: Promise<string> | undefined;
/** The gateway process bundled like the product, once per bench run; its entry's path. */
function bundledGatewayProcess(): Promise<string> {
  bundled ??= (async () => {
    const script = pathToFileURL(join(REPO_ROOT, 'scripts', 'bundle.mjs')).href;
    const { bundleGateway } = (await import(script)) as {
      bundleGateway: (entry: string, outdir: string) => Promise<void>;
    };
    await bundleGateway('dist/bench/support/gateway-process.js', BUNDLED);
    return join(BUNDLED, 'main.js');
  })();
  return bundled;
}
const SECRET = 'bench-shared-secret-0123456789-0123456789';
/** How long a process may take to print `ready`, and the default wait for a reply. */
const READY_TIMEOUT_MS = 60_000;
const ASK_TIMEOUT_MS = 60_000;

export interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  /** Open file descriptors (gateway processes only). */
  fds?: number;
}

export interface Proc {
  readonly child: ChildProcess;
  readonly ready: Record<string, string>;
  mem(): Promise<Memory>;
  /**
   * Sends `command` with a fresh request id and resolves with the reply carrying that id; rejects
   * when no such reply comes within `timeoutMs` or the process exits first.
   */
  ask(command: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** User + system CPU time so far (ms), from /proc (Linux). */
  cpuMs(): number;
  stop(): Promise<void>;
}

export async function startProc(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Proc> {
  // MCP_BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles every process.
  const extra = process.env['MCP_BENCH_NODE_ARGS']?.split(' ').filter(Boolean) ?? [];
  // Gateway processes start with the V8 flags production gives them (the launcher's); with
  // MCP_BENCH_GATEWAY_FLAGS=none, without (to measure what the flags change); any other value is
  // the list of flags to use instead.
  const chosen = process.env['MCP_BENCH_GATEWAY_FLAGS'];
  const gatewayFlags =
    chosen === undefined ? GATEWAY_NODE_FLAGS : chosen === 'none' ? [] : chosen.split(' ').filter(Boolean);
  const gateway = script === 'gateway-process.js' ? gatewayFlags : [];
  const flags = ['--expose-gc', ...gateway, ...extra];
  const path =
    script === 'gateway-process.js' && process.env['MCP_BENCH_BUNDLE'] !== '0'
      ? await bundledGatewayProcess()
      : join(SUPPORT, script);
  const child = spawn(process.execPath, [...flags, path, ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  interface Pending {
    readonly command: string;
    readonly resolve: (reply: Record<string, unknown>) => void;
    readonly reject: (err: Error) => void;
    readonly timer: NodeJS.Timeout;
  }
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let onReady: ((msg: Record<string, unknown>) => void) | undefined;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (msg['event'] === 'ready' && msg['id'] === undefined) {
      onReady?.(msg);
      return;
    }
    const p = typeof msg['id'] === 'number' ? pending.get(msg['id']) : undefined;
    if (!p) {
      console.error(`${script}: a reply to no pending request: ${line.slice(0, 200)}`);
      return;
    }
    pending.delete(msg['id'] as number);
    clearTimeout(p.timer);
    p.resolve(msg);
  });
  const exited = new Promise<void>((r) =>
    child.once('exit', (code, signal) => {
      for (const [id, p] of pending) {
        clearTimeout(p.timer);
        p.reject(
          new Error(`${script} exited (${signal ?? code}) before answering "${p.command}" (request ${id})`),
        );
      }
      pending.clear();
      r();
    }),
  );
  let readyTimer: NodeJS.Timeout | undefined;
  const ready = await Promise.race([
    new Promise<Record<string, unknown>>((resolve, reject) => {
      onReady = resolve;
      readyTimer = setTimeout(
        () => reject(new Error(`${script}: not ready within ${READY_TIMEOUT_MS / 1000} s`)),
        READY_TIMEOUT_MS,
      );
    }),
    exited.then(() => Promise.reject(new Error(`${script} exited before it was ready`))),
  ]).finally(() => clearTimeout(readyTimer));
  const ask = (command: string, timeoutMs = ASK_TIMEOUT_MS) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        reject(new Error(`${script} has exited: cannot ask "${command}"`));
        return;
      }
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${script}: no reply to "${command}" (request ${id}) within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      pending.set(id, { command, resolve, reject, timer });
      child.stdin!.write(`${id} ${command}\n`);
    });
  return {
    child,
    ready: ready as Record<string, string>,
    async mem() {
      const reply = await ask('mem');
      if (reply['event'] !== 'mem')
        throw new Error(`${script}: "mem" answered with ${JSON.stringify(reply)}`);
      return reply as unknown as Memory;
    },
    ask,
    cpuMs() {
      return processCpuMs(child.pid!);
    },
    async stop() {
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface Deployment {
  /** The MCP server's own URL (the direct path). */
  readonly directUrl: string;
  /** The client-side gateway's route (the path through both gateways and SLIM). */
  readonly routeUrl: string;
  readonly clientGateway: Proc;
  readonly serverGateway: Proc;
  stop(): Promise<void>;
}

export async function startDeployment(options: {
  mls: boolean;
  maxSessions?: number;
  /** The route side's `http.maxConnectionsPerClient` (bench clients all come from loopback). */
  maxConnectionsPerClient?: number;
}): Promise<Deployment> {
  const dir = mkdtempSync(join(tmpdir(), 'slim-gw-bench-'));
  const started: Proc[] = [];
  const stop = async () => {
    for (const p of started.reverse()) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const backend = await startProc('mcp-http-server.js', []);
    started.push(backend);
    const serverFile = join(dir, 'server.yaml');
    // The service's session bound: its default (1,000 for an HTTP server) unless asked otherwise.
    const limit = options.maxSessions === undefined ? '' : `, maxSessions: ${options.maxSessions}`;
    writeFileSync(
      serverFile,
      `slim: { node: embedded, listen: "127.0.0.1:0", name: acme/demo/server-gateway, sharedSecret: ${SECRET}, mls: ${options.mls} }
http: { listen: "127.0.0.1:0" }
services:
  - { name: acme/demo/tools, mcp: { url: "${backend.ready['url']}"${limit} } }
`,
    );
    const serverGateway = await startProc('gateway-process.js', [serverFile]);
    started.push(serverGateway);
    const clientFile = join(dir, 'client.yaml');
    writeFileSync(
      clientFile,
      `slim: { node: "${serverGateway.ready['node']}", name: acme/demo/gateway, sharedSecret: ${SECRET}, mls: ${options.mls} }
http: { listen: "127.0.0.1:0"${options.maxConnectionsPerClient === undefined ? '' : `, maxConnectionsPerClient: ${options.maxConnectionsPerClient}`} }
routes:
  - { path: /mcp/tools, mcp: acme/demo/tools }
`,
    );
    const clientGateway = await startProc('gateway-process.js', [clientFile]);
    started.push(clientGateway);
    return {
      directUrl: backend.ready['url']!,
      routeUrl: `${clientGateway.ready['url']}/mcp/tools`,
      clientGateway,
      serverGateway,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
