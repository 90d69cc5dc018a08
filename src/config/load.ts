// Loading a configuration file: the one place (with parse.ts's TLS files and reload.ts's watcher)
// that touches the file system for configuration. The CLI passes process.env; nothing below
// src/config reads either.
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { describeError } from '../util/errors.js';
import { parseConfig } from './parse.js';
import type { ParseResult } from './parse.js';
import { ConfigError } from './problems.js';
import type { GatewayConfig } from './types.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Reads and validates `file`; never throws (a missing file is a problem like any other). */
export function checkConfigFile(file: string, env: Env): ParseResult {
  const source = resolvePath(file);
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch (err) {
    return { ok: false, problems: [{ path: '', message: `cannot read the file: ${describeError(err)}` }] };
  }
  return parseConfig(text, { env, source });
}

/** Reads and validates `file`; throws ConfigError listing every problem. */
export function loadConfigFile(file: string, env: Env): GatewayConfig {
  const result = checkConfigFile(file, env);
  if (!result.ok) throw new ConfigError(result.problems, file);
  return result.config;
}
