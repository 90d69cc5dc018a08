// `slim-gateway` as a user runs it: bin/slim-gateway in a child process (the production deps), its
// JSON log lines on stderr parsed (test/support/child.ts), a config file written to a temporary
// directory, everything killed in t.after.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Child } from './child.js';
import type { LogLine } from './child.js';
import { REPO_ROOT } from './paths.js';

export const BIN = join(REPO_ROOT, 'bin', 'slim-gateway');

type After = { after: (fn: () => void | Promise<void>) => void };

/** Writes `yaml` to a fresh temporary file (removed after the test); returns its path. */
export function writeConfig(t: After, yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'slim-gw-e2e-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, yaml);
  return file;
}

/**
 * Starts `slim-gateway <args>` (JSON logs, quiet by default); stopped after the test, as a
 * supervisor stops it (SIGTERM, so that what it spawned stops too; SIGKILL if it hangs).
 */
export function startCli(t: After, args: string[], env: Record<string, string> = {}): Child {
  const child = new Child(process.execPath, [BIN, ...args], {
    SLIM_GATEWAY_LOG_FORMAT: 'json',
    SLIM_GATEWAY_LOG_LEVEL: process.env['GATEWAY_DEBUG'] ?? 'info',
    ...env,
  });
  t.after(() => child.stop());
  return child;
}

export const logMatching =
  (pattern: RegExp) =>
  (l: LogLine): boolean =>
    pattern.test(l.msg);

/** `slim-gateway run --config FILE`, once it logged that it is ready; its local base URL. */
export async function startRun(
  t: After,
  file: string,
  env: Record<string, string> = {},
): Promise<{ child: Child; url: string }> {
  const child = startCli(t, ['run', '--config', file], env);
  const ready = await child.waitForLog(logMatching(/^slim-gateway \S+ ready$/), 'ready', 60_000);
  return { child, url: ready['url'] as string };
}

/** The exit code after SIGTERM (hang guard only). */
export async function stop(child: Child): Promise<number | null> {
  child.proc.kill('SIGTERM');
  return (await child.exit(60_000)).code;
}
