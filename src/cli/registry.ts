// The commands, by name. Each module is loaded only when its command runs (or `--help` lists the
// summaries). A static list, not a directory scan, so that the bundle bin/slim-gateway runs
// (scripts/bundle.mjs) carries every command; test/unit/cli-registry.test.ts keeps it in step with
// src/cli/commands/.
import type { CliCommand } from './command.js';

type Loader = () => Promise<{ command: CliCommand }>;

const COMMANDS: Readonly<Record<string, Loader>> = {
  check: () => import('./commands/check.js'),
  healthcheck: () => import('./commands/healthcheck.js'),
  node: () => import('./commands/node.js'),
  run: () => import('./commands/run.js'),
  stdio: () => import('./commands/stdio.js'),
};

/** Every command name, sorted. */
export function commandNames(): string[] {
  return Object.keys(COMMANDS).sort();
}

/** The command called `name`; undefined for any other word. */
export async function loadCommand(name: string): Promise<CliCommand | undefined> {
  if (!Object.hasOwn(COMMANDS, name)) return undefined;
  return (await COMMANDS[name]!()).command;
}
