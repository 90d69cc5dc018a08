// `slim-gateway stdio --config FILE --route PATH`: MCP on stdin/stdout for one MCP route, for
// clients that launch MCP servers as commands. stdout carries only MCP messages; every log line,
// warning and error goes to stderr.
import { Transform } from 'node:stream';
import { loadConfigFile } from '../../config/load.js';
import { ConfigError } from '../../config/problems.js';
import { createProcessLogger, logSettings } from '../../gateway/logger.js';
import { riskWarnings } from '../../gateway/process.js';
import { realDeps } from '../../gateway/real-deps.js';
import { findMcpRoute, runStdio } from '../../gateway/stdio.js';
import { describeError, isGatewayError } from '../../util/errors.js';
import { UsageError, parseFlags } from '../command.js';
import type { CliCommand } from '../command.js';

export const command: CliCommand = {
  summary: 'speak MCP on stdin/stdout for one MCP route (for clients that launch servers)',
  usage: `usage: slim-gateway stdio --config FILE --route PATH

Serves the MCP route PATH of FILE on stdin/stdout, for MCP clients that launch their servers
as commands, e.g. in a client's server list:
  { "command": "slim-gateway", "args": ["stdio", "--config", "/path/gateway.yaml", "--route", "/mcp/weather"] }

It attaches to the SLIM node of FILE (with node: embedded, to the node a running
\`slim-gateway run\` serves on slim.listen) and calls the route's SLIM service(s). Services
and other routes in FILE are ignored. stdout carries MCP only; logs go to stderr.

options:
  --config FILE   the configuration file (required)
  --route PATH    the MCP route to serve, e.g. /mcp/weather (required)
  --help          show this help`,

  async run(argv) {
    const { flags, positional } = parseFlags(argv, { config: 'string', route: 'string' });
    if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
    const file = flags['config'];
    const route = flags['route'];
    if (typeof file !== 'string') throw new UsageError('--config FILE is required');
    if (typeof route !== 'string') throw new UsageError('--route PATH is required');
    const env = process.env;
    let config;
    try {
      config = loadConfigFile(file, env);
      findMcpRoute(config, route);
    } catch (err) {
      console.error(err instanceof ConfigError ? err.message : `slim-gateway stdio: ${describeError(err)}`);
      return 1;
    }
    const logger = createProcessLogger({
      ...logSettings(config.log, env),
      isTty: Boolean(process.stderr.isTTY),
    });
    for (const w of riskWarnings(config)) logger.warn(`WARNING: ${w}`);
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    if (process.stdin.isTTY)
      logger.warn(
        'stdin is a terminal: this command speaks MCP (JSON-RPC lines) on stdin/stdout and is meant to be ' +
          'launched by an MCP client (see --help)',
      );
    // Counts what arrives, so that an input that ends before any message is said out loud: the
    // client that launched us (or a user trying it with stdin closed) otherwise sees no output.
    let received = 0;
    const input = process.stdin.pipe(
      new Transform({
        transform(chunk: Buffer, _enc, done) {
          received += chunk.length;
          done(null, chunk);
        },
      }),
    );
    // pipe() does not pass errors on: an unreadable stdin ends the input like a closed one.
    process.stdin.once('error', () => input.end());
    try {
      await runStdio(config, route, realDeps(), {
        logger,
        input,
        output: process.stdout,
        signal: stop.signal,
      });
      if (received === 0 && !stop.signal.aborted)
        logger.warn(
          `stdin ended before any MCP message arrived: nothing was served on ${route}. ` +
            'This command is for MCP clients that launch it with a pipe on stdin (see --help).',
        );
      return 0;
    } catch (err) {
      logger.error({ err: describeError(err) }, 'slim-gateway stdio failed');
      if (config.slim.node.kind === 'embedded' && isGatewayError(err, 'UNREACHABLE'))
        logger.error(
          `with slim.node: embedded, stdio attaches to the node of a running \`slim-gateway run\` ` +
            `(e.g. \`npm start\`) with this file: start it first, with the same SLIM_SHARED_SECRET`,
        );
      return 1;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
