// The request-metadata headers of MCP 2026-07-28 Streamable HTTP ("Request Metadata"): `Mcp-Method`
// from `method`, `Mcp-Name` from `params.name` or `params.uri` (tools/call, resources/read,
// prompts/get), values outside plain header-safe ASCII carried as `=?base64?…?=`. The ingress
// checks them against the body (a gateway processes the body, so it must reject a mismatch with
// -32020); the egress derives them from the body for HTTP backends. Pure.
import type { JsonRpcNotification, JsonRpcRequest } from './jsonrpc.js';

const NAME_METHODS = new Set(['tools/call', 'resources/read', 'prompts/get']);

/** The `Mcp-Name` source value of a message, if its method has one. */
export function mcpNameOf(message: JsonRpcRequest | JsonRpcNotification): string | undefined {
  if (!NAME_METHODS.has(message.method)) return undefined;
  const v = message.method === 'resources/read' ? message.params?.['uri'] : message.params?.['name'];
  return typeof v === 'string' ? v : undefined;
}

const SAFE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
const SENTINEL = /^=\?base64\?(.*)\?=$/;

/** A header value: as is when plain ASCII without edge spaces, else the base64 sentinel form. */
export function encodeHeaderValue(value: string): string {
  if (SAFE.test(value) && !SENTINEL.test(value)) return value;
  return `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/** The value of a header that may carry the base64 sentinel form. */
export function decodeHeaderValue(value: string): string {
  const m = SENTINEL.exec(value);
  return m ? Buffer.from(m[1]!, 'base64').toString('utf8') : value;
}

/** `Mcp-Method` and (when applicable) `Mcp-Name` for a modern request. */
export function modernHeadersFor(message: JsonRpcRequest | JsonRpcNotification): Record<string, string> {
  const out: Record<string, string> = { 'mcp-method': message.method };
  const name = mcpNameOf(message);
  if (name !== undefined) out['mcp-name'] = encodeHeaderValue(name);
  return out;
}

/**
 * Checks a modern request's headers against its body; returns what is wrong, or undefined.
 * `get` reads a request header (case-insensitive), undefined when absent.
 */
export function checkModernHeaders(
  message: JsonRpcRequest,
  get: (name: string) => string | undefined,
  bodyVersion: string | undefined,
): string | undefined {
  const version = get('mcp-protocol-version');
  if (version === undefined) return 'the MCP-Protocol-Version header is required';
  if (bodyVersion !== undefined && version !== bodyVersion) {
    return `MCP-Protocol-Version header '${version}' does not match the body's '${bodyVersion}'`;
  }
  const method = get('mcp-method');
  if (method === undefined) return 'the Mcp-Method header is required';
  if (method !== message.method) {
    return `Mcp-Method header '${method}' does not match the body's '${message.method}'`;
  }
  const name = mcpNameOf(message);
  if (name !== undefined) {
    const header = get('mcp-name');
    if (header === undefined) return 'the Mcp-Name header is required';
    if (decodeHeaderValue(header) !== name) return `Mcp-Name header does not match the body's '${name}'`;
  }
  return undefined;
}
