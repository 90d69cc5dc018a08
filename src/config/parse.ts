// The configuration pipeline: YAML source -> variable expansion -> schema -> cross-checks ->
// TLS files -> resolved, frozen GatewayConfig. Every stage after parsing runs even when an
// earlier one found problems, so one run reports every mistake, each with its path and line.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { describeError } from '../util/errors.js';
import { checkIdentityFiles } from './identity-files.js';
import { crossCheck } from './cross-checks.js';
import type { RawProblem } from './cross-checks.js';
import { expandDocument, tokenize } from './expand.js';
import { issuesToProblems } from './issues.js';
import { formatPath, sortProblems } from './problems.js';
import type { ConfigPath, ConfigProblem } from './problems.js';
import { resolveConfig } from './resolve.js';
import { configSchema } from './schema.js';
import { parseYaml } from './source.js';
import type { GatewayConfig, ServerTlsMaterial, TlsMaterial } from './types.js';

export interface ParseOptions {
  /** Variables for `${VAR}` expansion (the CLI passes process.env). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Absolute path of the file, for messages and relative paths. */
  readonly source?: string;
  /** Directory relative paths resolve against; default: the source's directory, else the cwd. */
  readonly baseDir?: string;
  /** Reads TLS files (default: the file system). */
  readonly readFile?: (path: string) => Uint8Array;
}

export type ParseResult =
  | { readonly ok: true; readonly config: GatewayConfig }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

const TLS_FILES = [
  ['caFile', 'ca'],
  ['certFile', 'cert'],
  ['keyFile', 'key'],
] as const;

const SERVER_TLS_FILES = [
  ['certFile', 'cert'],
  ['keyFile', 'key'],
  ['clientCaFile', 'clientCa'],
] as const;

export function parseConfig(text: string, options: ParseOptions): ParseResult {
  const baseDir = options.baseDir ?? (options.source ? dirname(options.source) : resolvePath('.'));
  const tok = tokenize(text);
  const src = parseYaml(tok.text);
  if (src.problems.length > 0) return { ok: false, problems: sortProblems(src.problems) };

  // A problem with a mapping entry points at its key; one with a list item, at the item.
  const positionOf = (path: ConfigPath) => {
    const last = path[path.length - 1];
    return typeof last === 'string' ? src.locateKey(path.slice(0, -1), last) : src.locate(path);
  };
  let expanded: ReturnType<typeof expandDocument>;
  let raw: unknown;
  try {
    expanded = expandDocument(src.doc, tok, options.env, positionOf);
    raw = src.doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // The YAML library refuses some documents only while building values (an alias before its
    // anchor, too many aliases): a problem in the file, never a crash (found by fuzzing).
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, problems: [{ path: '', message: `YAML: ${message}` }] };
  }
  if (raw === null || raw === undefined)
    return { ok: false, problems: [{ path: '', message: 'the configuration is empty (slim: is required)' }] };

  const located = (problems: RawProblem[]): ConfigProblem[] =>
    problems.map((p) => {
      const last = p.path[p.path.length - 1];
      // An unknown or missing key points at the key itself (or its mapping).
      const pos = typeof last === 'string' ? src.locateKey(p.path.slice(0, -1), last) : src.locate(p.path);
      return { path: formatPath(p.path), message: p.message, ...pos };
    });

  const parsed = configSchema.safeParse(raw);
  // A value whose variable is missing is reported once, for the variable, not again for being empty.
  const unexpanded = new Set(expanded.problems.map((p) => p.path));
  const problems: ConfigProblem[] = [
    ...expanded.problems,
    ...[
      ...(parsed.success ? [] : located(issuesToProblems(parsed.error.issues, raw))),
      ...located(crossCheck(raw)),
    ].filter((p) => !unexpanded.has(p.path)),
  ];
  const tls = readTls(raw, baseDir, options.readFile ?? ((p) => readFileSync(p)));
  problems.push(...located(tls.problems));
  problems.push(...located(checkIdentityFiles(raw, baseDir)));
  // The file's telemetry.otlpEndpoint wins over the environment, which is then not read at all.
  const inFile = (raw as { telemetry?: unknown }).telemetry !== undefined;
  const otlpEnv = inFile ? undefined : otlpEndpointFromEnv(options.env);
  if (typeof otlpEnv === 'object') problems.push(otlpEnv);

  if (!parsed.success || problems.length > 0) return { ok: false, problems: sortProblems(dedupe(problems)) };
  const config = resolveConfig(parsed.data, {
    baseDir,
    ...(options.source !== undefined ? { source: options.source } : {}),
    ...(tls.material ? { tls: tls.material } : {}),
    ...(tls.server ? { serverTls: tls.server } : {}),
    defaulted: expanded.defaulted,
    variables: expanded.variables,
    ...(typeof otlpEnv === 'string' ? { otlpEndpointFromEnv: otlpEnv } : {}),
  });
  return { ok: true, config };
}

/** OTEL_EXPORTER_OTLP_ENDPOINT (the OpenTelemetry convention), checked like telemetry.otlpEndpoint. */
function otlpEndpointFromEnv(env: ParseOptions['env']): string | ConfigProblem | undefined {
  const value = env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim();
  if (!value) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url && (url.protocol === 'http:' || url.protocol === 'https:')) return value;
  return {
    path: 'telemetry.otlpEndpoint',
    message: `OTEL_EXPORTER_OTLP_ENDPOINT "${value}" must be an http:// or https:// URL`,
  };
}

/** Reads the PEM files named in slim.tls (relative to baseDir), reporting each that fails. */
function readTls(
  raw: unknown,
  baseDir: string,
  readFile: (path: string) => Uint8Array,
): { material?: TlsMaterial; server?: ServerTlsMaterial; problems: RawProblem[] } {
  const slim = field(raw, 'slim');
  const problems: RawProblem[] = [];
  const tls = readPems(field(slim, 'tls'), ['slim', 'tls'], TLS_FILES, baseDir, readFile, problems);
  const st = readPems(
    field(field(slim, 'server'), 'tls'),
    ['slim', 'server', 'tls'],
    SERVER_TLS_FILES,
    baseDir,
    readFile,
    problems,
  );
  const server =
    st?.['cert'] && st['key']
      ? { cert: st['cert'], key: st['key'], ...(st['clientCa'] ? { clientCa: st['clientCa'] } : {}) }
      : undefined;
  return { ...(tls ? { material: tls } : {}), ...(server ? { server } : {}), problems };
}

function field(v: unknown, key: string): unknown {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
}

function readPems(
  section: unknown,
  at: ConfigPath,
  files: readonly (readonly [string, string])[],
  baseDir: string,
  readFile: (path: string) => Uint8Array,
  problems: RawProblem[],
): Record<string, Uint8Array> | undefined {
  if (typeof section !== 'object' || section === null) return undefined;
  const material: Record<string, Uint8Array> = {};
  for (const [key, name] of files) {
    const file = (section as Record<string, unknown>)[key];
    if (typeof file !== 'string' || file === '') continue;
    const abs = isAbsolute(file) ? file : resolvePath(baseDir, file);
    try {
      const bytes = readFile(abs);
      if (!Buffer.from(bytes).toString('latin1').includes('-----BEGIN '))
        problems.push({ path: [...at, key], message: `${abs} is not a PEM file` });
      else material[name] = bytes;
    } catch (err) {
      problems.push({ path: [...at, key], message: `cannot read ${abs}: ${describeError(err)}` });
    }
  }
  return material;
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.path}\u0000${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
