// `slim-gateway node [--listen HOST:PORT]`: a standalone SLIM node (the embedded node of
// src/slim/node served on its own), for development, tests and small deployments. Logs like every
// command: to stderr, JSON or human-readable on a terminal (stdout is for program output); shuts
// down cleanly on SIGINT/SIGTERM (exit code 0).
import type { LogLevel } from '../../config/types.js';
import type { CliCommand } from '../command.js';
import { UsageError, parseFlags } from '../command.js';
import { createProcessLogger, logSettings } from '../../gateway/logger.js';
import { describeError } from '../../util/errors.js';
import { onStopSignals } from '../../util/stop-signals.js';
import { SlimNode, parseListen } from '../../slim/node/index.js';

const DEFAULT_LISTEN = '127.0.0.1:46357';
const LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const isLevel = (v: string): v is LogLevel => (LEVELS as readonly string[]).includes(v);

export const command: CliCommand = {
  summary: 'run a standalone SLIM node',
  usage: `usage: slim-gateway node [--listen HOST:PORT] [--log-level LEVEL]

Runs a SLIM data-plane node, wire-compatible with the reference (agntcy/slim v2):
SLIM apps and gateways connect to it with http://HOST:PORT.

options:
  --listen HOST:PORT   address to listen on (default ${DEFAULT_LISTEN}; port 0 picks a free port)
  --log-level LEVEL    ${LEVELS.join(', ')} (default info, or SLIM_GATEWAY_LOG_LEVEL)
  --help               show this help

Logs go to stderr: JSON, or human-readable on a terminal (SLIM_GATEWAY_LOG_FORMAT: auto, json,
pretty). SIGINT or SIGTERM closes every link and exits with code 0.`,

  async run(argv: string[]): Promise<number> {
    const { flags, positional } = parseFlags(argv, { listen: 'string', 'log-level': 'string' });
    if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
    const listen = typeof flags['listen'] === 'string' ? flags['listen'] : DEFAULT_LISTEN;
    const settings = logSettings(undefined, process.env);
    const level = typeof flags['log-level'] === 'string' ? flags['log-level'] : settings.level;
    if (!isLevel(level)) throw new UsageError(`--log-level must be one of ${LEVELS.join(', ')}`);
    try {
      parseListen(listen);
    } catch (err) {
      throw new UsageError(describeError(err));
    }
    const logger = createProcessLogger({ ...settings, level, isTty: Boolean(process.stderr.isTTY) });
    let node: SlimNode;
    try {
      node = await SlimNode.create({ listen, logger });
    } catch (err) {
      const inUse = /EADDRINUSE|already in use/.test(describeError(err));
      const hint = inUse
        ? ` (another SLIM node or slim-gateway holds ${listen}? --listen HOST:PORT picks another)`
        : '';
      logger.fatal({ listen }, `cannot start the SLIM node: ${describeError(err)}${hint}`);
      return 1;
    }
    logger.info({ endpoint: node.endpoint }, `SLIM node listening on ${node.endpoint}`);
    await new Promise<void>((resolve) => {
      onStopSignals({
        stop: (signal) => {
          logger.info({ signal }, 'shutting down');
          void node.close().then(resolve);
        },
        force: (signal) => {
          logger.warn({ signal }, 'second signal: exiting now');
          process.exit(1);
        },
      });
    });
    return 0;
  },
};
