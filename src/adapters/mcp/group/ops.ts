// What a group does with each MCP request (docs/mcp-over-slimrpc.md "Groups", table of methods).
// initialize / tools|prompts|resources|resource-templates list / logging/setLevel: every member,
// merged. tools/call, prompts/get, resources/read|subscribe|unsubscribe, completion/complete: the
// member that owns the name or URI. all_<tool>: every member offering <tool>. ping: answered here.
// server/discover and anything else: -32601, so dual-era clients use the session-based revisions.
import type { Member } from '../../group/members.js';
import { splitPrefixedUri, prefixedUri } from '../../group/names.js';
import { errorResponse, isErrorResponse, JsonRpcCode, progressTokenOf } from '../jsonrpc.js';
import type { JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from '../jsonrpc.js';
import { LIST_METHODS, presentList, routeName } from './catalog.js';
import type { Item, ListKind } from './catalog.js';
import { failureText, fanOut, memberError, ownerCall } from './fanout.js';
import type { MemberResult, OpContext } from './fanout.js';
import type { GroupCatalog } from './group-catalog.js';
import { fanoutResult, memberWarning, mergeInitialize, withGroupMeta } from './results.js';
import type { FanoutEntry, MemberStatus } from './results.js';

export interface GroupOpsContext extends OpContext {
  readonly catalog: GroupCatalog;
  readonly route: string;
  readonly serverVersion: string;
  /** A message for the client before the response (warnings, progress). */
  readonly emit: (n: JsonRpcNotification) => Promise<void>;
}

/** Longest wait for the members' answers to the client's initialize. */
export const INITIALIZE_WAIT_MS = 10_000;
/** Most pages read from one member for one list. */
const MAX_PAGES = 20;
/** Errors that mean "this member has none of these", not a failure. */
const NOT_OFFERED = new Set<number>([JsonRpcCode.METHOD_NOT_FOUND]);

const ok = (id: JsonRpcRequest['id'], result: unknown): JsonRpcResponse => ({ jsonrpc: '2.0', id, result });
const obj = (v: unknown): Item =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Item) : {};

export class GroupOps {
  constructor(private readonly c: GroupOpsContext) {}

  run(m: JsonRpcRequest): Promise<JsonRpcResponse> {
    const kind = LIST_METHODS[m.method];
    if (kind) return this.list(m, kind);
    switch (m.method) {
      case 'initialize':
        return this.initialize(m);
      case 'ping':
        return Promise.resolve(ok(m.id, {}));
      case 'tools/call':
        return this.callTool(m);
      case 'prompts/get':
        return this.byName(m, 'prompts', 'Unknown prompt');
      case 'resources/read':
      case 'resources/subscribe':
      case 'resources/unsubscribe':
        return this.byUri(m);
      case 'completion/complete':
        return this.complete(m);
      case 'logging/setLevel':
        return this.everyMember(m);
      default:
        return Promise.resolve(
          errorResponse(m.id, JsonRpcCode.METHOD_NOT_FOUND, `Method not found: ${m.method} (group route)`),
        );
    }
  }

  private statuses(results: readonly MemberResult[], offered = NOT_OFFERED): MemberStatus[] {
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
  private async warn(method: string, statuses: readonly MemberStatus[]): Promise<void> {
    for (const s of statuses)
      if (s.status === 'failed') await this.c.emit(memberWarning(s.member, method, s.error ?? 'failed'));
  }

  private async initialize(m: JsonRpcRequest): Promise<JsonRpcResponse> {
    const members = this.c.env.members.all();
    // A member slow to join must not hold the client's connection (SDKs time out at 60 s): the
    // group answers after INITIALIZE_WAIT_MS at most; a late member joins on the session's next call.
    const wait = Math.min(INITIALIZE_WAIT_MS, Math.max(1, this.c.deadline - Date.now()));
    const outcomes = await this.c.lane.ensureReady(members, this.c.signal, wait);
    const statuses: MemberStatus[] = outcomes.map((o) =>
      o.error === undefined
        ? { member: o.member.key, prefix: o.member.prefix, status: 'ok' }
        : { member: o.member.key, prefix: o.member.prefix, status: 'failed', error: o.error },
    );
    const answers = outcomes.flatMap((o) =>
      o.result ? [{ member: { key: o.member.key, prefix: o.member.prefix }, result: o.result }] : [],
    );
    const requested = obj(m.params)['protocolVersion'];
    const result = mergeInitialize(
      answers,
      typeof requested === 'string' ? requested : undefined,
      { route: this.c.route, version: this.c.serverVersion },
      statuses,
    );
    this.c.lane.protocolVersion = result['protocolVersion'] as string;
    return ok(m.id, result);
  }

  /** Every member's complete list (all pages), updating the catalog. */
  private async collect(m: JsonRpcRequest, kind: ListKind): Promise<{ statuses: MemberStatus[] }> {
    const request: JsonRpcRequest = { ...m, params: { ...obj(m.params) } };
    delete request.params!['cursor'];
    const results = await fanOut(this.c, request, this.c.env.members.all());
    await Promise.all(results.map((r) => this.pages(r, request, kind)));
    return { statuses: this.statuses(results) };
  }

  private async pages(r: MemberResult, request: JsonRpcRequest, kind: ListKind): Promise<void> {
    if (!r.response) return;
    if (isErrorResponse(r.response)) {
      if (NOT_OFFERED.has(r.response.error.code)) this.c.catalog.set(r.member, kind, []);
      return;
    }
    let result = obj(r.response.result);
    const items: Item[] = [];
    for (let page = 0; ; page++) {
      const list = result[kind];
      if (Array.isArray(list)) items.push(...list.map(obj));
      const cursor = result['nextCursor'];
      if (typeof cursor !== 'string' || page + 1 >= MAX_PAGES || this.c.signal.aborted) break;
      const next: JsonRpcRequest = {
        ...request,
        id: `slim-gateway-page-${page + 1}-${String(request.id)}`,
        params: { ...request.params, cursor },
      };
      const response = await ownerCall(this.c, r.member, next);
      if (isErrorResponse(response)) break;
      result = obj(response.result);
    }
    this.c.catalog.set(r.member, kind, items);
  }

  private async list(m: JsonRpcRequest, kind: ListKind): Promise<JsonRpcResponse> {
    if (obj(m.params)['cursor'] !== undefined)
      return errorResponse(
        m.id,
        JsonRpcCode.INVALID_PARAMS,
        'Invalid cursor: a group answers complete lists',
      );
    const { statuses } = await this.collect(m, kind);
    await this.warn(m.method, statuses);
    const answered = new Set(statuses.filter((s) => s.status === 'ok').map((s) => s.member));
    const lists = this.c.catalog.get(kind).filter((l) => answered.has(l.member.key));
    return ok(m.id, withGroupMeta({ [kind]: presentList(kind, lists) }, statuses));
  }

  /** Routes a name; lists again once when the name is not (or no longer) known. */
  private async route(kind: 'tools' | 'prompts', name: string, m: JsonRpcRequest) {
    const found = routeName(kind, name, this.c.catalog.get(kind));
    if (found) return found;
    await this.collect(
      { ...m, id: `slim-gateway-refresh-${String(m.id)}`, method: `${kind}/list`, params: {} },
      kind,
    );
    return routeName(kind, name, this.c.catalog.get(kind));
  }

  private member(key: string): Member | undefined {
    return this.c.env.members.all().find((x) => x.key === key);
  }

  private async callTool(m: JsonRpcRequest): Promise<JsonRpcResponse> {
    const params = obj(m.params);
    const name = params['name'];
    if (typeof name !== 'string')
      return errorResponse(m.id, JsonRpcCode.INVALID_PARAMS, 'params.name is required');
    const r = await this.route('tools', name, m);
    if (!r) return errorResponse(m.id, JsonRpcCode.INVALID_PARAMS, `Unknown tool: ${name}`);
    if (r.kind === 'member') {
      const member = this.member(r.member);
      if (!member) return errorResponse(m.id, JsonRpcCode.INVALID_PARAMS, `Unknown tool: ${name}`);
      return ownerCall(this.c, member, { ...m, params: { ...params, name: r.name } });
    }
    return this.fanoutTool(m, r.name, r.owners);
  }

  private async fanoutTool(m: JsonRpcRequest, tool: string, ownerKeys: readonly string[]) {
    const owners = ownerKeys.map((k) => this.member(k)).filter((x): x is Member => x !== undefined);
    const params = obj(m.params);
    // Members do not report progress on the client's token: the group reports members done.
    const token = progressTokenOf(m);
    const meta = { ...obj(params['_meta']) };
    delete meta['progressToken'];
    const request: JsonRpcRequest = { ...m, params: { ...params, name: tool, _meta: meta } };
    let done = 0;
    const onDone =
      token === undefined
        ? undefined
        : () => {
            done++;
            void this.c.emit({
              jsonrpc: '2.0',
              method: 'notifications/progress',
              params: {
                progressToken: token,
                progress: done,
                total: owners.length,
                message: `${done} of ${owners.length} members answered`,
              },
            });
          };
    const results = await fanOut(this.c, request, owners, onDone);
    const statuses = this.statuses(results, new Set());
    await this.warn(m.method, statuses);
    const entries: FanoutEntry[] = results.map((r) => {
      if (r.response && !isErrorResponse(r.response))
        return { member: r.member.key, tool, outcome: { kind: 'result', result: obj(r.response.result) } };
      const e = r.response ?? memberError(m, r.member, r.failure!);
      const error = isErrorResponse(e) ? e.error : { code: JsonRpcCode.INTERNAL_ERROR, message: 'no result' };
      return {
        member: r.member.key,
        tool,
        outcome: { kind: 'failed', code: error.code, message: error.message },
      };
    });
    return ok(m.id, fanoutResult(entries, statuses));
  }

  private async byName(m: JsonRpcRequest, kind: 'prompts', unknown: string): Promise<JsonRpcResponse> {
    const params = obj(m.params);
    const name = params['name'];
    if (typeof name !== 'string')
      return errorResponse(m.id, JsonRpcCode.INVALID_PARAMS, 'params.name is required');
    const r = await this.route(kind, name, m);
    const member = r?.kind === 'member' ? this.member(r.member) : undefined;
    if (!r || r.kind !== 'member' || !member)
      return errorResponse(m.id, JsonRpcCode.INVALID_PARAMS, `${unknown}: ${name}`);
    return ownerCall(this.c, member, { ...m, params: { ...params, name: r.name } });
  }

  private ownerOfUri(uri: unknown): { member: Member; uri: string } | undefined {
    if (typeof uri !== 'string') return undefined;
    const split = splitPrefixedUri(uri);
    const member = split && this.c.env.members.byPrefix(split.prefix);
    return split && member ? { member, uri: split.uri } : undefined;
  }

  private async byUri(m: JsonRpcRequest): Promise<JsonRpcResponse> {
    const params = obj(m.params);
    const owner = this.ownerOfUri(params['uri']);
    if (!owner)
      return errorResponse(
        m.id,
        -32002,
        `Resource not found: ${String(params['uri'])} names no group member`,
      );
    const response = await ownerCall(this.c, owner.member, { ...m, params: { ...params, uri: owner.uri } });
    if (m.method !== 'resources/read' || isErrorResponse(response)) return response;
    const result = obj(response.result);
    const contents = Array.isArray(result['contents']) ? result['contents'].map(obj) : [];
    const prefixed = contents.map((c) =>
      typeof c['uri'] === 'string' ? { ...c, uri: prefixedUri(owner.member.prefix, c['uri']) } : c,
    );
    return ok(m.id, { ...result, contents: prefixed });
  }

  private async complete(m: JsonRpcRequest): Promise<JsonRpcResponse> {
    const params = obj(m.params);
    const ref = obj(params['ref']);
    if (ref['type'] === 'ref/prompt' && typeof ref['name'] === 'string') {
      const r = await this.route('prompts', ref['name'], m);
      const member = r?.kind === 'member' ? this.member(r.member) : undefined;
      if (!r || r.kind !== 'member' || !member)
        return errorResponse(m.id, JsonRpcCode.INVALID_PARAMS, `Unknown prompt: ${ref['name']}`);
      return ownerCall(this.c, member, { ...m, params: { ...params, ref: { ...ref, name: r.name } } });
    }
    const owner = this.ownerOfUri(ref['uri']);
    if (ref['type'] === 'ref/resource' && owner)
      return ownerCall(this.c, owner.member, {
        ...m,
        params: { ...params, ref: { ...ref, uri: owner.uri } },
      });
    return errorResponse(
      m.id,
      JsonRpcCode.INVALID_PARAMS,
      'completion/complete: the ref names no group member',
    );
  }

  private async everyMember(m: JsonRpcRequest): Promise<JsonRpcResponse> {
    const results = await fanOut(this.c, m, this.c.env.members.all());
    const statuses = this.statuses(results);
    await this.warn(m.method, statuses);
    return ok(m.id, withGroupMeta({}, statuses));
  }
}
