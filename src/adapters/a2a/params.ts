// A2A service parameters across the SLIM hop (spec/slimrpc-a2a-mcp.md §2.1, §2.2): HTTP headers
// of the local client become SLIMRPC metadata with lower-case keys (`a2a-extensions`; the binding
// adds `a2a-version` per call), plus `X-A2A-Extensions` spelled exactly so, as the Python
// reference looks it up case-sensitively. Trace context rides along. On the serving side the
// metadata is read case-insensitively and becomes headers for the local agent again. Metadata is
// cleartext on the wire even under MLS: nothing else (no Authorization) is forwarded.
import type { IncomingHttpHeaders } from 'node:http';
import { A2aError } from './errors.js';
import type { A2aVersion } from './methods/table.js';

const PASS_THROUGH = ['traceparent', 'tracestate'];

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(',') : v;
}

/** SLIMRPC metadata for a call, from the local client's HTTP headers. */
export function forwardedMetadata(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  const extensions = one(headers['a2a-extensions']) ?? one(headers['x-a2a-extensions']);
  if (extensions) {
    out['a2a-extensions'] = extensions;
    out['X-A2A-Extensions'] = extensions;
  }
  for (const key of PASS_THROUGH) {
    const v = one(headers[key]);
    if (v) out[key] = v;
  }
  return out;
}

/** HTTP headers for the local agent, from the metadata of an incoming SLIMRPC call. */
export function agentHeaders(
  metadata: Readonly<Record<string, string>>,
  version: A2aVersion,
): Record<string, string> {
  const lower = new Map(Object.entries(metadata).map(([k, v]) => [k.toLowerCase(), v]));
  const out: Record<string, string> = { 'A2A-Version': version };
  const extensions = lower.get('a2a-extensions') ?? lower.get('x-a2a-extensions');
  if (extensions) out[version === '1.0' ? 'A2A-Extensions' : 'X-A2A-Extensions'] = extensions;
  for (const key of PASS_THROUGH) {
    const v = lower.get(key);
    if (v) out[key] = v;
  }
  return out;
}

/** Checks a client's `A2A-Version` header: absent, 0.3 and 1.x are served. */
export function supportedVersionHeader(value: string | undefined): void {
  if (value === undefined || value.trim() === '') return;
  if (/^\s*(0\.3|1)(\.\d+)*\s*$/.test(value)) return;
  throw new A2aError('VersionNotSupportedError', `A2A version ${value} is not supported (0.3 and 1.0 are)`);
}
