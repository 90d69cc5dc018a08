// `slim-gateway run [--config FILE]`: the sidecar (DESIGN.md, Commands). Loads and validates the
// configuration (exit 1 listing every problem), sets up logging (config, then the
// SLIM_GATEWAY_LOG_LEVEL / SLIM_GATEWAY_LOG_FORMAT environment), and runs until SIGINT/SIGTERM.
import { existsSync } from 'node:fs';
import { loadConfigFile } from '../../config/load.js';
import { ConfigError } from '../../config/problems.js';
import { createProcessLogger, logSettings } from '../../gateway/logger.js';
import { runGatewayProcess } from '../../gateway/process.js';
import { realDeps } from '../../gateway/real-deps.js';
import { packageVersion } from '../../gateway/version.js';
import { UsageError, parseFlags } from '../command.js';
import type { CliCommand } from '../command.js';

export const DEFAULT_CONFIG = 'config/gateway.yaml';

export const command: CliCommand = {
  summary: 'run the sidecar: local MCP/A2A endpoints and services offered on SLIM',
  usage: `usage: slim-gateway run [--config FILE]

Runs the gateway described by FILE (default ${DEFAULT_CONFIG} in the current folder: the
demo's, in a checkout): the SLIM node (embedded,
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
  --config FILE   the configuration file (default ${DEFAULT_CONFIG})
  --help          show this help`,

  async run(argv) {
    const { flags, positional } = parseFlags(argv, { config: 'string' });
    if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
    const file = typeof flags['config'] === 'string' ? flags['config'] : DEFAULT_CONFIG;
    if (file === DEFAULT_CONFIG && !existsSync(file))
      throw new UsageError(
        `no --config given and no ${DEFAULT_CONFIG} in this folder (the demo's, in a checkout): ` +
          'pass --config FILE (`slim-gateway check --config FILE` tells what is wrong with one)',
      );
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
