// The shape of a CLI command: each file in src/cli/commands/ exports `command`, and registry.ts
// names it.

export interface CliCommand {
  /** One line for `slim-gateway --help`. */
  readonly summary: string;
  /** Full usage text for `slim-gateway <command> --help`. */
  readonly usage: string;
  /** Runs the command; resolves with the process exit code (long-running commands resolve on shutdown). */
  run(argv: string[]): Promise<number>;
}

/** Thrown for bad command-line input; main prints the message and the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Minimal flag parser: `--name value`, `--name=value`, boolean `--flag`. Unknown flags and missing
 * values are UsageErrors (typos must not pass silently).
 */
export function parseFlags(
  argv: string[],
  spec: Record<string, 'string' | 'boolean'>,
): { flags: Record<string, string | boolean>; positional: string[] } {
  const flags: Record<string, string | boolean> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const kind = spec[name];
    if (!kind) throw new UsageError(`unknown option --${name}`);
    if (kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
    flags[name] = value;
  }
  return { flags, positional };
}
