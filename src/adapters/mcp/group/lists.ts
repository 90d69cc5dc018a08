// The lists of a group (docs/mcp-over-slimrpc.md "Groups"): every member's complete list (all its
// pages) read by one fan-out and kept in the catalog, then answered as one list under prefixed
// names. A member without the feature (-32601) has an empty list; a member that failed is named
// to the client by a warning before the answer and in the result's `_meta`.
import { errorResponse, isErrorResponse, JsonRpcCode } from '../jsonrpc.js';
import type { JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from '../jsonrpc.js';
import { presentList } from './presented-catalog.js';
import type { Item, ListKind } from './presented-catalog.js';
import { failureText, fanOut, ownerCall } from './fanout.js';
import type { MemberResult, OpContext } from './fanout.js';
import type { CatalogCache } from './catalog-cache.js';
import { memberWarning, withGroupMeta } from './results.js';
import type { MemberStatus } from './results.js';

export interface ListContext extends OpContext {
  readonly catalog: CatalogCache;
  /** A message for the client before the response (warnings, progress). */
  readonly emit: (n: JsonRpcNotification) => Promise<void>;
}

/** Most pages read from one member for one list. */
const MAX_PAGES = 20;
/** Errors that mean "this member has none of these", not a failure. */
export const NOT_OFFERED: ReadonlySet<number> = new Set<number>([JsonRpcCode.METHOD_NOT_FOUND]);

const obj = (v: unknown): Item =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Item) : {};

/** Each member's status in a fan-out; errors in `offered` count as answers. */
export function statusesOf(results: readonly MemberResult[], offered = NOT_OFFERED): MemberStatus[] {
  return results.map((r) => {
    const error =
      r.response && isErrorResponse(r.response) && offered.has(r.response.error.code)
        ? undefined
        : failureText(r);
    return error === undefined
      ? { member: r.member.key, prefix: r.member.prefix, status: 'ok' }
      : { member: r.member.key, prefix: r.member.prefix, status: 'failed', error };
  });
}

/** Warns the client about every failed member (before the response). */
export async function warnFailed(
  c: ListContext,
  method: string,
  statuses: readonly MemberStatus[],
): Promise<void> {
  for (const s of statuses)
    if (s.status === 'failed') await c.emit(memberWarning(s.member, method, s.error ?? 'failed'));
}

/** Every member's complete list (all pages), updating the catalog. */
export async function collectLists(
  c: ListContext,
  m: JsonRpcRequest,
  kind: ListKind,
): Promise<{ statuses: MemberStatus[] }> {
  const request: JsonRpcRequest = { ...m, params: { ...obj(m.params) } };
  delete request.params!['cursor'];
  const results = await fanOut(c, request, c.env.members.all());
  await Promise.all(results.map((r) => pages(c, r, request, kind)));
  return { statuses: statusesOf(results) };
}

async function pages(c: ListContext, r: MemberResult, request: JsonRpcRequest, kind: ListKind) {
  if (!r.response) return;
  if (isErrorResponse(r.response)) {
    if (NOT_OFFERED.has(r.response.error.code)) c.catalog.set(r.member, kind, []);
    return;
  }
  let result = obj(r.response.result);
  const items: Item[] = [];
  for (let page = 0; ; page++) {
    const list = result[kind];
    if (Array.isArray(list)) items.push(...list.map(obj));
    const cursor = result['nextCursor'];
    if (typeof cursor !== 'string' || page + 1 >= MAX_PAGES || c.signal.aborted) break;
    const next: JsonRpcRequest = {
      ...request,
      id: `slim-gateway-page-${page + 1}-${String(request.id)}`,
      params: { ...request.params, cursor },
    };
    const response = await ownerCall(c, r.member, next);
    if (isErrorResponse(response)) break;
    result = obj(response.result);
  }
  c.catalog.set(r.member, kind, items);
}

/** The answer to a list request (tools/list, prompts/list, ...): the union of what the members that answered list. */
export async function answerList(
  c: ListContext,
  m: JsonRpcRequest,
  kind: ListKind,
): Promise<JsonRpcResponse> {
  if (obj(m.params)['cursor'] !== undefined)
    return errorResponse(m.id, JsonRpcCode.INVALID_PARAMS, 'Invalid cursor: a group answers complete lists');
  const { statuses } = await collectLists(c, m, kind);
  await warnFailed(c, m.method, statuses);
  const answered = new Set(statuses.filter((s) => s.status === 'ok').map((s) => s.member));
  const lists = c.catalog.get(kind).filter((l) => answered.has(l.member.key));
  return { jsonrpc: '2.0', id: m.id, result: withGroupMeta({ [kind]: presentList(kind, lists) }, statuses) };
}
