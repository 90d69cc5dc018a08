// The process logger the CLI hands to everything else: pino, JSON by default, human-readable
// (pino-pretty) when writing to a terminal, always to stderr (stdout belongs to command output and,
// for `stdio`, to the MCP protocol). Writes are synchronous so nothing is lost at exit. Secrets are
// redacted by path, should an object carrying one ever be logged (it should not be).
// pino-pretty is required only when the output is pretty (a terminal): a service's JSON logs never
// load it.
import { createRequire } from 'node:module';
import { pino } from 'pino';
import type pretty from 'pino-pretty';
import type { LogConfig, LogLevel } from '../config/types.js';
import { routeGrpcLogs } from '../slim/dataplane/grpc-logs.js';
import { REDACT_PATHS, replaceRepeatedBindings } from '../util/log.js';
import type { Logger } from '../util/log.js';

export const LOG_REDACT_PATHS = [
  ...REDACT_PATHS,
  'bearerTokens',
  '*.bearerTokens',
  'headers',
  '*.headers',
  'env',
  '*.env',
  'req.headers.authorization',
];

export interface ProcessLoggerOptions {
  readonly level: LogLevel;
  readonly format: LogConfig['format'];
  /** Whether stderr is a terminal (decides `auto`). */
  readonly isTty: boolean;
}

export function createProcessLogger(options: ProcessLoggerOptions): Logger {
  const prettyOut = options.format === 'pretty' || (options.format === 'auto' && options.isTty);
  const stream = prettyOut
    ? (createRequire(import.meta.url)('pino-pretty') as typeof pretty)({
        destination: 2,
        sync: true,
        colorize: options.isTty,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname',
        singleLine: true,
      })
    : pino.destination({ dest: 2, sync: true });
  const logger = pino(
    {
      level: options.level,
      base: { pid: process.pid },
      redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
      onChild: replaceRepeatedBindings,
    },
    stream,
  );
  routeGrpcLogs(logger);
  return logger;
}

const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** Log settings after the environment's overrides (SLIM_GATEWAY_LOG_LEVEL / _FORMAT). */
export function logSettings(
  fromConfig: LogConfig | undefined,
  env: Readonly<Record<string, string | undefined>>,
): LogConfig {
  const level = env['SLIM_GATEWAY_LOG_LEVEL']?.toLowerCase();
  const format = env['SLIM_GATEWAY_LOG_FORMAT']?.toLowerCase();
  return {
    level: LEVELS.includes(level as LogLevel) ? (level as LogLevel) : (fromConfig?.level ?? 'info'),
    format:
      format === 'json' || format === 'pretty' || format === 'auto' ? format : (fromConfig?.format ?? 'auto'),
  };
}
