// The `Mcp-Param-{Name}` headers of MCP 2026-07-28 Streamable HTTP ("Schema Extension"): a tool's
// inputSchema may mark primitive properties, reachable through a chain of `properties`, with
// `x-mcp-header: <Name>`; a client calling that tool over HTTP mirrors each such argument into
// `Mcp-Param-<Name>` (strings as is, numbers in decimal, booleans as true/false; values outside
// plain header-safe ASCII as `=?base64?…?=`; absent or null arguments: no header), and a server
// rejects a call whose headers are missing or disagree (-32020). The egress is that client for
// HTTP backends: it learns the declarations from every tools/list answer it relays and, for a
// tool it has not seen listed, lists the tools itself first (as an SDK client would after a
// mismatch). Declarations the spec forbids (under items, anyOf, ... or on objects) are ignored.
import { encodeHeaderValue } from '../headers.js';
import { parseMessage } from '../jsonrpc.js';
import type { JsonRpcId, JsonRpcRequest } from '../jsonrpc.js';
import { SseParser } from '../sse.js';
import type { HttpClientResponse } from '../../../util/http-client.js';

export const MCP_PARAM_HEADER_PREFIX = 'mcp-param-';
const X_MCP_HEADER = 'x-mcp-header';
/** RFC 9110 token: what a header name may be. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const PRIMITIVE = new Set(['string', 'integer', 'boolean', 'number']);
/** Deepest `properties` chain followed; most tools known per backend connection. */
const MAX_DEPTH = 16;
const MAX_TOOLS = 4096;
/** Most pages the egress reads when it lists the tools itself; largest answer read. */
export const MAX_LIST_PAGES = 20;
const MAX_READ_BYTES = 16 * 1024 * 1024;

export interface ParamDeclaration {
  /** Where the argument is, from `arguments`. */
  readonly path: readonly string[];
  readonly header: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The `x-mcp-header` declarations of a tool's inputSchema. */
export function scanParamDeclarations(schema: unknown): ParamDeclaration[] {
  const out: ParamDeclaration[] = [];
  const visit = (node: unknown, path: string[]) => {
    if (!isObj(node) || path.length > MAX_DEPTH) return;
    const name = node[X_MCP_HEADER];
    const type = node['type'];
    if (path.length > 0 && typeof name === 'string' && TOKEN.test(name) && typeof type === 'string')
      if (PRIMITIVE.has(type)) out.push({ path, header: name });
    const props = node['properties'];
    if (isObj(props)) for (const [k, child] of Object.entries(props)) visit(child, [...path, k]);
  };
  visit(schema, []);
  return out;
}

function headerText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number' && Number.isFinite(v) && (!Number.isInteger(v) || Number.isSafeInteger(v)))
    return String(v);
  return undefined;
}

/** The headers for one call's arguments. */
export function paramHeaders(decls: readonly ParamDeclaration[], args: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of decls) {
    let v: unknown = args;
    for (const k of d.path) v = isObj(v) ? v[k] : undefined;
    const text = headerText(v);
    if (text !== undefined) out[MCP_PARAM_HEADER_PREFIX + d.header.toLowerCase()] = encodeHeaderValue(text);
  }
  return out;
}

/** The tools of one backend connection whose calls carry `Mcp-Param-*` headers. */
export class ToolParamHeaders {
  private readonly tools = new Map<string, readonly ParamDeclaration[]>();

  /** Learns from a tools/list result. */
  learn(result: unknown): void {
    const tools = isObj(result) ? result['tools'] : undefined;
    if (!Array.isArray(tools)) return;
    for (const t of tools) {
      if (!isObj(t) || typeof t['name'] !== 'string') continue;
      this.tools.delete(t['name']);
      if (this.tools.size >= MAX_TOOLS) this.tools.delete(this.tools.keys().next().value!);
      this.tools.set(t['name'], scanParamDeclarations(t['inputSchema']));
    }
  }

  /** Whether the call's tool is known (its headers, if any, can be built). */
  knows(message: JsonRpcRequest): boolean {
    const name = message.params?.['name'];
    return typeof name !== 'string' || this.tools.has(name);
  }

  headersFor(message: JsonRpcRequest): Record<string, string> {
    const name = message.params?.['name'];
    const decls = typeof name === 'string' ? this.tools.get(name) : undefined;
    return decls && decls.length > 0 ? paramHeaders(decls, message.params?.['arguments']) : {};
  }
}

/** A tools/list page request the egress sends itself, with the caller's `_meta` envelope. */
export function toolsListRequest(call: JsonRpcRequest, id: JsonRpcId, cursor?: string): JsonRpcRequest {
  const meta = isObj(call.params?.['_meta']) ? { ...call.params['_meta'] } : {};
  delete meta['progressToken'];
  return {
    jsonrpc: '2.0',
    id,
    method: 'tools/list',
    params: { _meta: meta, ...(cursor !== undefined ? { cursor } : {}) },
  };
}

/** The result answering `id` in an HTTP answer (JSON or SSE), or undefined. */
export async function readResult(res: HttpClientResponse, id: JsonRpcId): Promise<unknown> {
  const type = (res.header('content-type') ?? '').split(';')[0]!.trim();
  if (!res.ok || (type !== 'application/json' && type !== 'text/event-stream')) {
    res.cancel();
    return undefined;
  }
  const decoder = new TextDecoder();
  const sse = type === 'text/event-stream' ? new SseParser(MAX_READ_BYTES) : undefined;
  let json = '';
  const answer = (text: string): unknown => {
    const p = parseMessage(text);
    if (!p.ok || p.value.kind !== 'response' || p.value.message.id !== id) return undefined;
    return 'result' in p.value.message ? (p.value.message.result ?? null) : undefined;
  };
  try {
    for await (const value of res.chunks()) {
      const text = decoder.decode(value, { stream: true });
      if (!sse) {
        json += text;
        if (json.length > MAX_READ_BYTES) return undefined;
        continue;
      }
      for (const ev of sse.push(text)) {
        const r = ev.event === 'message' && ev.data !== '' ? answer(ev.data) : undefined;
        if (r !== undefined) return r;
      }
    }
    return sse ? undefined : answer(json + decoder.decode());
  } finally {
    res.cancel();
  }
}
