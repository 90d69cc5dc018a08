// slim-gateway command-line entry: `slim-gateway <command> [options]`. Commands are listed in
// registry.ts, one per file in ./commands; `--help` and `--version` work everywhere.
import { UsageError } from './command.js';
import { commandNames, loadCommand as load } from './registry.js';
import { packageVersion as version } from '../gateway/version.js';

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
