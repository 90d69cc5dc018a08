// Child processes for the MCP benchmark: each prints one JSON `ready` line on stdout, answers `mem`
// on stdin with a JSON `mem` line, and stops when stdin closes. Plus the two-gateway deployment:
// an MCP server on Streamable HTTP, a server-side gateway (our embedded SLIM node and the service)
// and a client-side gateway (the route), each its own process, as in production.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '../../test/support/paths.js';

const SUPPORT = join(REPO_ROOT, 'dist', 'bench', 'support');
const SECRET = 'bench-shared-secret-0123456789-0123456789';

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
  /** Sends one line on stdin and resolves with the process's next JSON line. */
  ask(line: string): Promise<Record<string, unknown>>;
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
  const child = spawn(process.execPath, ['--expose-gc', ...extra, join(SUPPORT, script), ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting: ((line: Record<string, unknown>) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    waiting.shift()?.(msg);
  });
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${script}: no answer within 60 s`)), 60_000);
      waiting.push((m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const ready = await Promise.race([
    next(),
    exited.then(() => Promise.reject(new Error(`${script} exited before it was ready`))),
  ]);
  const ask = async (line: string) => {
    const answer = next();
    child.stdin!.write(`${line}\n`);
    return await answer;
  };
  return {
    child,
    ready: ready as Record<string, string>,
    async mem() {
      return (await ask('mem')) as unknown as Memory;
    },
    ask,
    cpuMs() {
      // Fields 14 and 15 of /proc/PID/stat (after the command in parentheses): utime, stime in ticks.
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
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

export async function startDeployment(options: { mls: boolean; maxSessions?: number }): Promise<Deployment> {
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
http: { listen: "127.0.0.1:0" }
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
