// slim-gateway command-line entry: `slim-gateway <command> [options]`. Commands live one per file
// in ./commands and are found by name; `--help` and `--version` work everywhere.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliCommand } from './command.js';
import { UsageError } from './command.js';

const here = dirname(fileURLToPath(import.meta.url));

function version(): string {
  const pkg = JSON.parse(readFileSync(join(here, '..', '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function commandNames(): string[] {
  const dir = join(here, 'commands');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function load(name: string): Promise<CliCommand | undefined> {
  if (!commandNames().includes(name)) return undefined;
  const mod = (await import(`./commands/${name}.js`)) as { command?: CliCommand };
  return mod.command;
}

async function help(): Promise<string> {
  const lines = ['usage: slim-gateway <command> [options]', '', 'commands:'];
  for (const name of commandNames()) {
    const cmd = await load(name);
    if (cmd) lines.push(`  ${name.padEnd(8)} ${cmd.summary}`);
  }
  lines.push(
    '',
    'options:',
    '  --help     show help (also after a command)',
    '  --version  print the version',
  );
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    console.log(await help());
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    console.log(version());
    return 0;
  }
  const cmd = await load(first);
  if (!cmd) {
    console.error(`slim-gateway: unknown command "${first}"\n\n${await help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(cmd.usage);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`slim-gateway ${first}: ${err.message}\n\n${cmd.usage}`);
      return 2;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`slim-gateway: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
