// Test-side handle on reference SLIM peers (test/fixtures/reference/peer.mjs): each ReferencePeer
// is a child process running the reference Rust core, scripted with small async JS bodies. The
// tests FAIL (never skip) when the reference cannot load. Every peer is killed when the test
// process exits.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from './paths.js';

const PEER_SCRIPT = join(REPO_ROOT, 'test', 'fixtures', 'reference', 'peer.mjs');
const live = new Set<ChildProcessWithoutNullStreams>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A free TCP port on 127.0.0.1 (for reference nodes, which cannot listen on port 0 and report it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface PeerEvent {
  event: string;
  [key: string]: unknown;
}

export class ReferencePeer {
  readonly version: string;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly eventListeners = new Set<(e: PeerEvent) => void>();
  private readonly events: PeerEvent[] = [];
  private stderrTail: string[] = [];
  private exited = false;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    version: string,
  ) {
    this.version = version;
  }

  /** Starts a reference peer process; rejects (failing the test) if the reference cannot load. */
  static async start(options: { label?: string; logLevel?: string } = {}): Promise<ReferencePeer> {
    const child = spawn(process.execPath, [PEER_SCRIPT], {
      cwd: REPO_ROOT,
      env: { ...process.env, REF_LOG: options.logLevel ?? process.env['REF_LOG'] ?? 'warn' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    live.add(child);
    const lines = createInterface({ input: child.stdout });
    const stderr: string[] = [];
    child.stderr.on('data', (d: Buffer) => {
      stderr.push(d.toString());
      if (stderr.length > 50) stderr.shift();
      if (process.env['REF_ECHO'])
        process.stderr.write(`[ref ${options.label ?? child.pid}] ${d.toString()}`);
    });
    const version = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reference peer did not start: ${stderr.join('')}`)),
        20_000,
      );
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`reference peer exited (${code}) before ready: ${stderr.join('')}`));
      });
      lines.once('line', (line) => {
        clearTimeout(timer);
        const msg = JSON.parse(line) as PeerEvent;
        if (msg.event === 'ready') resolve(String(msg['version']));
        else reject(new Error(`unexpected first line from reference peer: ${line}`));
      });
    });
    const peer = new ReferencePeer(child, version);
    peer.stderrTail = stderr;
    lines.on('line', (line) => peer.onLine(line));
    child.on('exit', () => {
      peer.exited = true;
      live.delete(child);
      for (const p of peer.pending.values())
        p.reject(new Error(`reference peer exited: ${stderr.join('').slice(-2000)}`));
      peer.pending.clear();
    });
    return peer;
  }

  private onLine(line: string): void {
    let msg: { id?: number; ok?: boolean; result?: unknown; error?: string; event?: string };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      this.stdoutLogs.push(line);
      if (this.stdoutLogs.length > 200) this.stdoutLogs.shift();
      return;
    }
    if (msg.event) {
      const ev = msg as PeerEvent;
      this.events.push(ev);
      for (const l of this.eventListeners) l(ev);
      return;
    }
    const p = this.pending.get(msg.id ?? -1);
    if (!p) return;
    this.pending.delete(msg.id!);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(`reference: ${msg.error}`));
  }

  private readonly stdoutLogs: string[] = [];

  /** The last lines the reference core logged (stdout and stderr), e.g. why it dropped a frame. */
  logText(): string {
    return `${this.stdoutLogs.join('\n')}\n${this.stderrTail.join('')}`;
  }

  /** Runs `code` (an async function body) in the reference process; resolves with its result. */
  run<T = unknown>(code: string, args: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error('reference peer has exited'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`reference call timed out after ${timeoutMs} ms: ${code.slice(0, 120)}`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.stdin.write(JSON.stringify({ id, code, args }) + '\n');
    });
  }

  /** Resolves with the first event (already seen or future) that matches. */
  waitForEvent(match: (e: PeerEvent) => boolean, timeoutMs = 30_000): Promise<PeerEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.eventListeners.delete(listener);
        reject(new Error(`reference event not seen within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (e: PeerEvent) => {
        if (!match(e)) return;
        clearTimeout(timer);
        this.eventListeners.delete(listener);
        resolve(e);
      };
      this.eventListeners.add(listener);
    });
  }

  eventsSeen(): readonly PeerEvent[] {
    return this.events;
  }

  /** OS process id of the reference process (benchmarks read its CPU time). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The last lines the reference core logged (for failure messages). */
  logTail(): string {
    return this.stderrTail.join('').slice(-4000);
  }

  /** Kills the process (SIGKILL: the reference has no clean in-process shutdown we rely on). */
  async stop(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGKILL');
    await done;
  }
}

/** A reference SLIM node listening on 127.0.0.1:<free port>; returns its endpoint URL. */
export async function startReferenceNode(): Promise<{ peer: ReferencePeer; endpoint: string; port: number }> {
  const peer = await ReferencePeer.start({ label: 'node' });
  const port = await freePort();
  await peer.run(`await svc.runServerAsync(s.newInsecureServerConfig(args.addr));`, {
    addr: `127.0.0.1:${port}`,
  });
  return { peer, endpoint: `http://127.0.0.1:${port}`, port };
}
