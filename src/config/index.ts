// The configuration layer's public surface: load or parse a file, the typed configuration, the
// problems it reports, reload support and the JSON Schema.
export { checkConfigFile, loadConfigFile } from './load.js';
export type { Env } from './load.js';
export { parseConfig } from './parse.js';
export type { ParseOptions, ParseResult } from './parse.js';
export { ConfigError, formatProblem, formatPath, sortProblems } from './problems.js';
export type { ConfigProblem } from './problems.js';
export { diffConfigs, isEmptyDiff, sameValue } from './diff.js';
export type { ConfigDiff, Changes } from './diff.js';
export { watchConfigFile } from './reload.js';
export type { ConfigWatcher, ConfigWatcherOptions } from './reload.js';
export { formatHostPort, isLoopbackHost, parseHostPort } from './host-port.js';
export { DEFAULTS, RESERVED_PATHS } from './schema.js';
export { configJsonSchema, writeConfigJsonSchema } from './json-schema.js';
export type * from './types.js';
