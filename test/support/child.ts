// A child process under test: its stderr parsed as JSON log lines (pino) that tests can wait for,
// its exit awaited with a hang guard, and a kill in t.after so nothing outlives the test.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

export class Child {
  readonly proc: ChildProcess;
  readonly logs: LogLine[] = [];
  readonly stdout: string[] = [];
  readonly stderrText: string[] = [];
  private readonly waiters: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  /**
   * `detached`: in a process group of its own (a terminal's foreground job), killed as a group;
   * `cwd`: the folder it runs in (default: the test's).
   */
  constructor(
    command: string,
    args: string[],
    env: Record<string, string | undefined> = {},
    private readonly options: { readonly detached?: boolean; readonly cwd?: string } = {},
  ) {
    this.proc = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: options.detached ?? false,
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    this.exited = new Promise((resolve) =>
      this.proc.once('exit', (code, signal) => resolve({ code, signal })),
    );
    createInterface({ input: this.proc.stdout! }).on('line', (l) => this.stdout.push(l));
    createInterface({ input: this.proc.stderr! }).on('line', (line) => {
      this.stderrText.push(line);
      let parsed: LogLine;
      try {
        parsed = JSON.parse(line) as LogLine;
      } catch {
        return;
      }
      this.logs.push(parsed);
      for (const w of [...this.waiters]) {
        if (w.match(parsed)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(parsed);
        }
      }
    });
  }

  /** The first log line (already seen or to come) matching; rejects if the process exits first. */
  waitForLog(match: (l: LogLine) => boolean, what: string, timeoutMs = 30_000): Promise<LogLine> {
    const seen = this.logs.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise<LogLine>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for log: ${what}\n${this.stderrText.join('\n')}`)),
        timeoutMs,
      );
      void this.exited.then(() => {
        clearTimeout(timer);
        const late = this.logs.find(match);
        if (late) resolve(late);
        else reject(new Error(`exited before logging: ${what}\n${this.stderrText.join('\n')}`));
      });
      this.waiters.push({
        match,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  }

  /** The exit, with a generous hang guard (not a timing assertion). */
  async exit(timeoutMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const guard = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`process did not exit\n${this.stderrText.join('\n')}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, guard]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Stops a process that may have started processes of its own (a gateway's spawned servers and
   * agents): SIGTERM, so that it stops them as it shuts down, then SIGKILL if it has not exited
   * within `graceMs`. A SIGKILL alone would leave those processes running, orphaned.
   */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
    try {
      if ((await Promise.race([this.exited, late])) === 'late') this.kill();
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (this.options.detached && this.proc.pid !== undefined) {
      try {
        process.kill(-this.proc.pid, 'SIGKILL');
      } catch {
        // the group is gone already
      }
      return;
    }
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }

  /** Sends `signal` to the child's whole process group, as a terminal's Ctrl-C does (detached only). */
  signalGroup(signal: NodeJS.Signals): void {
    if (!this.options.detached || this.proc.pid === undefined) throw new Error('not a process group');
    process.kill(-this.proc.pid, signal);
  }
}
