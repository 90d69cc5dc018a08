// What a group does with each MCP request (docs/mcp-over-slimrpc.md "Groups", table of methods).
// initialize / tools|prompts|resources|resource-templates list / logging/setLevel: every member,
// merged. tools/call, prompts/get, resources/read|subscribe|unsubscribe, completion/complete: the
// member that owns the name or URI. all_<tool>: every member offering <tool>. ping: answered here.
// server/discover: every member, merged (modern.ts). Anything else: -32601.
import type { Member } from '../../group/members.js';
import { splitPrefixedUri, prefixedUri } from '../../group/names.js';
import { errorResponse, isErrorResponse, isModernVersion, JsonRpcCode, progressTokenOf } from '../jsonrpc.js';
import type { JsonRpcRequest, JsonRpcResponse } from '../jsonrpc.js';
import { LIST_METHODS, routeName } from './presented-catalog.js';
import type { Item } from './presented-catalog.js';
import { fanOut, memberError, ownerCall } from './fanout.js';
import { answerList, collectLists, statusesOf, warnFailed } from './lists.js';
import type { ListContext } from './lists.js';
import { discover, isInputRequired, modernResponse } from './modern.js';
import { fanoutResult, mergeInitialize, withGroupMeta } from './results.js';
import type { FanoutEntry, MemberStatus } from './results.js';

export interface GroupOpsContext extends ListContext {
  readonly route: string;
  readonly serverVersion: string;
}

/** Longest wait for the members' answers to the client's initialize. */
export const INITIALIZE_WAIT_MS = 10_000;
/** A member asking for client input (2026-07-28) in a fan-out: one client cannot answer several. */
const INPUT_REQUIRED = {
  code: JsonRpcCode.INVALID_REQUEST,
  message: 'the member asks for client input, which a call on every member cannot relay: call its own tool',
};

const ok = (id: JsonRpcRequest['id'], result: unknown): JsonRpcResponse => ({ jsonrpc: '2.0', id, result });
const obj = (v: unknown): Item =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Item) : {};

export class GroupOps {
  constructor(private readonly c: GroupOpsContext) {}

  async run(m: JsonRpcRequest): Promise<JsonRpcResponse> {
    const response = await this.dispatch(m);
    return isModernVersion(this.c.protocolVersion) ? modernResponse(m.method, response) : response;
  }

  private dispatch(m: JsonRpcRequest): Promise<JsonRpcResponse> {
    const kind = LIST_METHODS[m.method];
    if (kind) return answerList(this.c, m, kind);
    switch (m.method) {
      case 'initialize':
        return this.initialize(m);
      case 'ping':
        return Promise.resolve(ok(m.id, {}));
      case 'server/discover':
        return discover(this.c, m, { route: this.c.route, version: this.c.serverVersion });
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

  /** Routes a name; lists again once when the name is not (or no longer) known. */
  private async route(kind: 'tools' | 'prompts', name: string, m: JsonRpcRequest) {
    const found = routeName(kind, name, this.c.catalog.get(kind));
    if (found) return found;
    // The client's `_meta` goes along: on 2026-07-28 it is required on every request.
    const meta = obj(m.params)['_meta'];
    const params = meta === undefined ? {} : { _meta: meta };
    await collectLists(
      this.c,
      { ...m, id: `slim-gateway-refresh-${String(m.id)}`, method: `${kind}/list`, params },
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
    const statuses = statusesOf(results, new Set());
    await warnFailed(this.c, m.method, statuses);
    const entries: FanoutEntry[] = results.map((r) => {
      const result = r.response && !isErrorResponse(r.response) ? obj(r.response.result) : undefined;
      if (result && isInputRequired(result))
        return { member: r.member.key, tool, outcome: { kind: 'failed', ...INPUT_REQUIRED } };
      if (result) return { member: r.member.key, tool, outcome: { kind: 'result', result } };
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
    const statuses = statusesOf(results);
    await warnFailed(this.c, m.method, statuses);
    return ok(m.id, withGroupMeta({}, statuses));
  }
}
