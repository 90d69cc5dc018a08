// Processes the gateway runs for `services[].spawn` (for example an A2A agent that should live and
// die with the gateway): started with the configured command, its output forwarded to the log line
// by line, watched for an unexpected exit (reported, so the service is restarted), and stopped with
// SIGTERM, then SIGKILL after the grace period. `waitForPort` tells when its URL accepts connections.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import type { ProcessConfig } from '../config/types.js';
import { raceSignal, sleep } from '../util/abort.js';
import { GatewayError, describeError } from '../util/errors.js';
import type { Logger } from '../util/log.js';

export interface ManagedProcess {
  readonly pid: number | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. Idempotent. */
  stop(graceMs: number): Promise<void>;
}

const MAX_LINE = 2000;

export function startProcess(
  cfg: ProcessConfig,
  options: {
    readonly logger: Logger;
    readonly baseEnv: Readonly<Record<string, string | undefined>>;
    /** Called once if the process fails to start or exits while it should be running. */
    readonly onExit: (err: GatewayError) => void;
  },
): ManagedProcess {
  const log = options.logger;
  const child = spawn(cfg.command, [...cfg.args], {
    cwd: cfg.cwd,
    env: { ...options.baseEnv, ...cfg.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stopping = false;
  let exited = false;
  const gone = new Promise<void>((resolve) => {
    child.once('error', (err) => {
      exited = true;
      resolve();
      if (!stopping)
        options.onExit(
          new GatewayError('UNAVAILABLE', `cannot start ${cfg.command}: ${describeError(err)}`, {
            cause: err,
          }),
        );
    });
    child.once('exit', (code, signal) => {
      exited = true;
      resolve();
      if (!stopping)
        options.onExit(
          new GatewayError('UNAVAILABLE', `${cfg.command} exited (${signal ?? `code ${String(code)}`})`),
        );
    });
  });
  for (const [stream, level] of [
    [child.stdout, 'info'],
    [child.stderr, 'warn'],
  ] as const) {
    createInterface({ input: stream }).on('line', (line) => log[level](line.slice(0, MAX_LINE)));
  }
  log.info({ pid: child.pid, command: cfg.command }, 'process started');

  let stopped: Promise<void> | undefined;
  return {
    pid: child.pid,
    stop: (graceMs) => {
      stopped ??= (async () => {
        stopping = true;
        if (exited) return;
        child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), graceMs)));
        if ((await Promise.race([gone.then(() => 'gone' as const), late])) === 'late') {
          log.warn({ pid: child.pid }, 'process ignored SIGTERM; killing it');
          child.kill('SIGKILL');
          await gone;
        }
        clearTimeout(timer);
        log.info({ pid: child.pid }, 'process stopped');
      })();
      return stopped;
    },
  };
}

/** The host and port a service URL connects to. */
function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)),
  };
}

/** One TCP connection attempt to `url`'s host and port: true when it is accepted. */
export function portAnswers(url: string, signal?: AbortSignal): Promise<boolean> {
  const { host, port } = hostPort(url);
  const attempt = new Promise<boolean>((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
  return signal ? raceSignal(attempt, signal) : attempt;
}

/** Resolves once `url`'s host and port accept a TCP connection; rejects on `signal`. */
export async function waitForPort(url: string, signal: AbortSignal): Promise<void> {
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    if (await portAnswers(url, signal)) return;
    await sleep(delay, signal);
  }
}
