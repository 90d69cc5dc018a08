// `slim-gateway check --config FILE`: validates a configuration as `run` would (variables expanded
// from the environment, TLS files read) without starting anything. Exit 0 with a short summary of
// what it would serve (and a warning for each address it needs that another program holds now), or
// exit 1 listing every problem as `file:line:column  path: message`.
import { checkConfigFile } from '../../config/load.js';
import { formatProblem } from '../../config/problems.js';
import { addressTaken, inUseHint, ownedAddresses } from '../../gateway/port-hints.js';
import { riskWarnings } from '../../gateway/process.js';
import { configSummaryLines } from '../../gateway/summary.js';
import { UsageError, parseFlags } from '../command.js';
import type { CliCommand } from '../command.js';

export const command: CliCommand = {
  summary: 'validate a configuration file (exit 1 listing every problem)',
  usage: `usage: slim-gateway check --config FILE

Validates FILE as \`slim-gateway run\` would: YAML syntax, \${VAR} and \${VAR:-default}
expansion from the environment, the schema (unknown keys are errors), SLIM names, route
paths, duplicates, secret lengths, and the TLS files it names. Starts nothing.

Prints a summary and exits 0 when the file is valid; otherwise prints every problem as
  FILE:LINE:COLUMN  path.in.file: what is wrong
and exits 1.

options:
  --config FILE   the configuration file (required)
  --help          show this help`,

  async run(argv) {
    const { flags, positional } = parseFlags(argv, { config: 'string' });
    if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
    const file = flags['config'];
    if (typeof file !== 'string') throw new UsageError('--config FILE is required');
    const result = checkConfigFile(file, process.env);
    if (!result.ok) {
      const n = result.problems.length;
      console.log(`${file}: ${n} problem${n === 1 ? '' : 's'}`);
      for (const p of result.problems) console.log(`  ${formatProblem(p, file)}`);
      return 1;
    }
    console.log(`${file}: OK`);
    for (const line of configSummaryLines(result.config)) console.log(`  ${line}`);
    for (const w of riskWarnings(result.config)) console.log(`  WARNING: ${w}`);
    // Valid, but `run` would fail (or a spawned process could not bind) on an address taken now.
    for (const a of ownedAddresses(result.config))
      if (await addressTaken(a)) console.log(`  WARNING: ${inUseHint(a, file)}`);
    return 0;
  },
};
