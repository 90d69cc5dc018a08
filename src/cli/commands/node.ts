// `slim-gateway node [--listen HOST:PORT]`: a standalone SLIM node (the embedded node of
// src/slim/node served on its own), for development, tests and small deployments. Logs like every
// command: to stderr, JSON or human-readable on a terminal (stdout is for program output); shuts
// down cleanly on SIGINT/SIGTERM (exit code 0). TLS, mTLS, Basic authentication of links and the
// limits of docs/security.md are flags, with the defaults of `slim.server` in a gateway file.
import { readFileSync } from 'node:fs';
import type { LogLevel } from '../../config/types.js';
import type { CliCommand } from '../command.js';
import { UsageError, parseFlags } from '../command.js';
import { createProcessLogger, logSettings } from '../../gateway/logger.js';
import { describeError } from '../../util/errors.js';
import { lingerAfterStopSignal, onStopSignals } from '../../util/stop-signals.js';
import { BasicAuthenticator } from '../../slim/dataplane/index.js';
import type { BasicUser } from '../../slim/dataplane/index.js';
import { DEFAULT_NODE_LIMITS, SlimNode, parseListen } from '../../slim/node/index.js';
import type { NodeLimits, NodeTlsOptions, SlimNodeOptions } from '../../slim/node/index.js';

const DEFAULT_LISTEN = '127.0.0.1:46357';
const LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const isLevel = (v: string): v is LogLevel => (LEVELS as readonly string[]).includes(v);

/** Shortest Basic password the node accepts (as `slim.server.auth` in a gateway file). */
const MIN_PASSWORD = 32;

const LIMIT_FLAGS: readonly (readonly [string, keyof NodeLimits, string])[] = [
  ['handshake-timeout-ms', 'handshakeTimeoutMs', 'close a connection without a negotiated link after N ms'],
  ['max-connections', 'maxConnections', 'TCP connections held at once'],
  ['max-connections-per-address', 'maxConnectionsPerAddress', 'TCP connections held at once per IP address'],
  ['max-streams-per-connection', 'maxStreamsPerConnection', 'concurrent OpenChannel streams per connection'],
  [
    'max-subscriptions-per-connection',
    'maxSubscriptionsPerConnection',
    'subscriptions of one link (past it: closed)',
  ],
  ['max-subscriptions', 'maxSubscriptions', 'subscriptions of all links (past it: Subscribe refused)'],
];

const limitUsage = LIMIT_FLAGS.map(
  ([flag, key, what]) => `  --${`${flag} N`.padEnd(36)} ${what} (default ${DEFAULT_NODE_LIMITS[key]})`,
).join('\n');

function readPem(flag: string, file: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new UsageError(`--${flag}: cannot read ${file}: ${describeError(err)}`);
  }
  if (!Buffer.from(bytes).toString('latin1').includes('-----BEGIN '))
    throw new UsageError(`--${flag}: ${file} is not a PEM file`);
  return bytes;
}

/** "username:password" lines; blank lines and # comments skipped. Never echoes a password. */
function readUsers(file: string): BasicUser[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--auth-basic-file: cannot read ${file}: ${describeError(err)}`);
  }
  const users: BasicUser[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const at = `--auth-basic-file ${file}, line ${i + 1}`;
    if (colon <= 0) throw new UsageError(`${at}: expected username:password`);
    const password = line.slice(colon + 1);
    if (password.length < MIN_PASSWORD)
      throw new UsageError(
        `${at}: the password must be at least ${MIN_PASSWORD} characters (it has ${password.length})`,
      );
    users.push({ username: line.slice(0, colon), password });
  });
  if (users.length === 0) throw new UsageError(`--auth-basic-file ${file}: no users`);
  return users;
}

/** The listener options the flags ask for: TLS, mTLS, Basic users, limits. */
function serverOptions(flags: Record<string, string | boolean>): Partial<SlimNodeOptions> {
  const str = (k: string) => (typeof flags[k] === 'string' ? flags[k] : undefined);
  const [cert, key, clientCa] = [str('tls-cert'), str('tls-key'), str('tls-client-ca')];
  if (Boolean(cert) !== Boolean(key)) throw new UsageError('--tls-cert and --tls-key go together');
  if (clientCa && !cert) throw new UsageError('--tls-client-ca needs --tls-cert and --tls-key');
  let tls: NodeTlsOptions | undefined;
  if (cert && key) {
    tls = { cert: readPem('tls-cert', cert), key: readPem('tls-key', key) };
    if (clientCa) tls = { ...tls, ca: readPem('tls-client-ca', clientCa) };
  }
  const usersFile = str('auth-basic-file');
  const limits: Partial<Record<keyof NodeLimits, number>> = {};
  for (const [flag, k] of LIMIT_FLAGS) {
    const v = str(flag);
    if (v === undefined) continue;
    if (!/^[1-9][0-9]*$/.test(v)) throw new UsageError(`--${flag} must be a positive integer`);
    limits[k] = Number(v);
  }
  return {
    limits,
    ...(tls ? { tls } : {}),
    ...(usersFile ? { auth: new BasicAuthenticator(readUsers(usersFile)) } : {}),
  };
}

export const command: CliCommand = {
  summary: 'run a standalone SLIM node',
  usage: `usage: slim-gateway node [--listen HOST:PORT] [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE]]
                         [--auth-basic-file FILE] [limits] [--log-level LEVEL]

Runs a SLIM data-plane node, wire-compatible with the reference (agntcy/slim v2):
SLIM apps and gateways connect to it with http://HOST:PORT, or https://HOST:PORT with TLS.

options:
  --listen HOST:PORT                     address to listen on (default ${DEFAULT_LISTEN}; port 0 picks a free port)
  --tls-cert FILE                        the node's certificate chain (PEM): serve TLS
  --tls-key FILE                         its private key (PEM)
  --tls-client-ca FILE                   require client certificates issued by this CA (mTLS)
  --auth-basic-file FILE                 require HTTP Basic on every link: one username:password per line
                                         (passwords of ${MIN_PASSWORD} characters or more; # comments)
  --log-level LEVEL                      ${LEVELS.join(', ')} (default info, or SLIM_GATEWAY_LOG_LEVEL)
  --help                                 show this help

limits (the offender's connection or stream is closed and logged):
${limitUsage}

Logs go to stderr: JSON, or human-readable on a terminal (SLIM_GATEWAY_LOG_FORMAT: auto, json,
pretty). SIGINT or SIGTERM closes every link and exits with code 0.`,

  async run(argv: string[]): Promise<number> {
    const { flags, positional } = parseFlags(argv, {
      listen: 'string',
      'log-level': 'string',
      'tls-cert': 'string',
      'tls-key': 'string',
      'tls-client-ca': 'string',
      'auth-basic-file': 'string',
      ...Object.fromEntries(LIMIT_FLAGS.map(([flag]) => [flag, 'string' as const])),
    });
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
    const server = serverOptions(flags);
    const logger = createProcessLogger({ ...settings, level, isTty: Boolean(process.stderr.isTTY) });
    let node: SlimNode;
    try {
      node = await SlimNode.create({ listen, logger, ...server });
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
          void node
            .close()
            .then(() => lingerAfterStopSignal())
            .then(resolve);
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
