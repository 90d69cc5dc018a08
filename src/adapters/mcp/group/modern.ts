// A group route on the stateless MCP revision 2026-07-28 (docs/mcp-over-slimrpc.md "Groups").
// `server/discover` goes to every member: the group offers the modern revisions every member that
// answered offers, and answers -32601 (so a dual-era client falls back to `initialize`, which the
// group serves with sessions) as soon as one member answers with an error, i.e. speaks only the
// session-based revisions: a group serves one era to a client, never a mix. Results the group
// builds itself (merged lists, all_<tool>) get what 2026-07-28 requires of every result: a
// `resultType`, and cache fields on the cacheable ones. Members' own results pass through as is.
import { errorResponse, isErrorResponse, JsonRpcCode } from '../jsonrpc.js';
import type { JsonRpcRequest, JsonRpcResponse } from '../jsonrpc.js';
import type { Item } from './presented-catalog.js';
import { failureText, fanOut } from './fanout.js';
import type { MemberResult, OpContext } from './fanout.js';
import { groupInstructions, groupMeta, groupServerInfo } from './results.js';
import type { MemberStatus } from './results.js';

/** Where 2026-07-28 carries the server's identity on a result. */
export const SERVER_INFO_META_KEY = 'io.modelcontextprotocol/serverInfo';
/** Results 2026-07-28 requires `ttlMs` / `cacheScope` on. */
const CACHEABLE = new Set([
  'tools/list',
  'prompts/list',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'server/discover',
]);
/** 2025's "resource not found", which 2026-07-28 reports as invalid params. */
const LEGACY_RESOURCE_NOT_FOUND = -32002;

const obj = (v: unknown): Item =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Item) : {};

/**
 * A group's response made valid for 2026-07-28: `resultType` when missing, and (on a complete
 * cacheable result) `ttlMs: 0` / `cacheScope: 'private'` when missing, since membership may change
 * the answer at any moment.
 */
export function modernResponse(method: string, response: JsonRpcResponse): JsonRpcResponse {
  if (isErrorResponse(response)) {
    if (response.error.code !== LEGACY_RESOURCE_NOT_FOUND) return response;
    return { ...response, error: { ...response.error, code: JsonRpcCode.INVALID_PARAMS } };
  }
  const result = { ...obj(response.result) };
  result['resultType'] ??= 'complete';
  if (result['resultType'] === 'complete' && CACHEABLE.has(method)) {
    const ttl = result['ttlMs'];
    if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0) result['ttlMs'] = 0;
    if (result['cacheScope'] !== 'public' && result['cacheScope'] !== 'private')
      result['cacheScope'] = 'private';
  }
  return { ...response, result };
}

/** Whether a member's result asks the client for input (a multi round-trip request). */
export function isInputRequired(result: Item): boolean {
  return result['resultType'] === 'input_required';
}

/** `server/discover` on every member, answered for the group (see the file comment). */
export async function discover(
  ctx: OpContext,
  m: JsonRpcRequest,
  info: { readonly route: string; readonly version: string },
): Promise<JsonRpcResponse> {
  const results = await fanOut(ctx, m, ctx.env.members.all());
  const legacy = results.filter((r) => r.response && isErrorResponse(r.response));
  const modern = results.flatMap((r) =>
    r.response && !isErrorResponse(r.response) ? [{ r, result: obj(r.response.result) }] : [],
  );
  if (legacy.length > 0 || modern.length === 0) {
    const why =
      legacy.length > 0
        ? `member ${legacy.map((r) => r.member.key).join(', ')} speaks only session-based revisions`
        : 'no member answered';
    return errorResponse(m.id, JsonRpcCode.METHOD_NOT_FOUND, `Method not found: server/discover (${why})`);
  }
  const offered = modern.map(({ result }) => {
    const v = result['supportedVersions'];
    return new Set(Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  });
  const supportedVersions = [...offered[0]!].filter((v) => offered.every((s) => s.has(v)));
  if (supportedVersions.length === 0)
    return errorResponse(
      m.id,
      JsonRpcCode.METHOD_NOT_FOUND,
      'Method not found: server/discover (the members share no modern revision)',
    );
  const statuses = results.map(statusOf);
  const answers = modern.map(({ r, result }) => ({ member: r.member, result }));
  return {
    jsonrpc: '2.0',
    id: m.id,
    result: {
      resultType: 'complete',
      ttlMs: 0,
      cacheScope: 'private',
      supportedVersions,
      // No subscriptions/listen on a group: lists are read again when the client wants them.
      capabilities: { tools: {}, prompts: {}, resources: {}, logging: {}, completions: {} },
      instructions: groupInstructions(answers, statuses),
      _meta: { [SERVER_INFO_META_KEY]: groupServerInfo(info), ...groupMeta(statuses) },
    },
  };
}

function statusOf(r: MemberResult): MemberStatus {
  const base = { member: r.member.key, prefix: r.member.prefix };
  if (r.response) return { ...base, status: 'ok' };
  return { ...base, status: 'failed', error: failureText(r) ?? 'no answer' };
}
