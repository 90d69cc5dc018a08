// `slim-gateway run [--config FILE]`: the sidecar (DESIGN.md, Commands). Loads and validates the
// configuration (exit 1 listing every problem), sets up logging (config, then the
// SLIM_GATEWAY_LOG_LEVEL / SLIM_GATEWAY_LOG_FORMAT environment), and runs until SIGINT/SIGTERM.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfigFile } from '../../config/load.js';
import { ConfigError } from '../../config/problems.js';
import { createProcessLogger, logSettings } from '../../gateway/logger.js';
import { runGatewayProcess } from '../../gateway/process.js';
import { realDeps } from '../../gateway/real-deps.js';
import { packageVersion } from '../../gateway/version.js';
import { UsageError, parseFlags } from '../command.js';
import type { CliCommand } from '../command.js';

export const DEFAULT_CONFIG = 'config/gateway.yaml';

/**
 * The file `run` uses without --config: config/gateway.yaml of the current directory (a checkout),
 * else the demo configuration shipped in the package (`npx slim-gateway run` anywhere).
 */
export function defaultConfigFile(): string {
  if (existsSync(DEFAULT_CONFIG)) return DEFAULT_CONFIG;
  // dist/src/cli/commands/run.js -> the package root.
  return fileURLToPath(new URL('../../../../config/gateway.yaml', import.meta.url));
}

export const command: CliCommand = {
  summary: 'run the sidecar: local MCP/A2A endpoints and services offered on SLIM',
  usage: `usage: slim-gateway run [--config FILE]

Runs the gateway described by FILE (default ${DEFAULT_CONFIG} in the current directory, else
the demo configuration installed with slim-gateway): the SLIM node (embedded,
or a link to an existing one), the services it offers on SLIM, and the local routes MCP and
A2A clients use, plus /healthz, /readyz and /metrics. Prints what it serves once started.

Changes to services, routes and http access lists in FILE are applied while running (also
on SIGHUP); an invalid change is rejected and the running configuration kept.
SIGINT/SIGTERM: stop accepting, let in-flight calls finish (shutdownGraceMs), exit 0;
a second signal exits at once.

Logs go to stderr: JSON, or human-readable on a terminal. Environment:
  SLIM_GATEWAY_LOG_LEVEL    trace|debug|info|warn|error|fatal|silent (overrides log.level)
  SLIM_GATEWAY_LOG_FORMAT   auto|json|pretty (overrides log.format)

options:
  --config FILE   the configuration file (default: see above)
  --help          show this help`,

  async run(argv) {
    const { flags, positional } = parseFlags(argv, { config: 'string' });
    if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
    const file = typeof flags['config'] === 'string' ? flags['config'] : defaultConfigFile();
    const env = process.env;
    let config;
    try {
      config = loadConfigFile(file, env);
    } catch (err) {
      if (err instanceof ConfigError) {
        console.error(err.message);
        return 1;
      }
      throw err;
    }
    const logger = createProcessLogger({
      ...logSettings(config.log, env),
      isTty: Boolean(process.stderr.isTTY),
    });
    return runGatewayProcess({
      config,
      deps: realDeps(),
      logger,
      env,
      configFile: file,
      version: packageVersion(),
    });
  },
};
