// The results a group builds from its members' answers (docs/mcp-over-slimrpc.md "Groups"): the
// merged `initialize` result, the fan-out tools' CallToolResult (every member's result, attributed),
// the per-member status carried in `_meta` of every aggregated result, and the
// `notifications/message` warning that names a member that failed. Pure.
import type { JsonRpcNotification } from '../jsonrpc.js';
import type { CatalogMember, Item } from './presented-catalog.js';

/** The `_meta` key of the per-member status on every aggregated result. */
export const GROUP_META_KEY = 'slim-gateway/group';
/** The `_meta` key naming the member on each content block of a fan-out result. */
export const MEMBER_META_KEY = 'slim-gateway/member';
/** The revision answered when no member answered `initialize` and the client asked for none. */
export const FALLBACK_PROTOCOL_VERSION = '2025-06-18';

export interface MemberStatus {
  readonly member: string;
  readonly prefix: string;
  readonly status: 'ok' | 'failed';
  readonly error?: string;
}

export function groupMeta(statuses: readonly MemberStatus[]): Record<string, unknown> {
  return { [GROUP_META_KEY]: { members: statuses } };
}

/** A result with the group's `_meta` added (the member's own `_meta` keys are kept). */
export function withGroupMeta(result: Item, statuses: readonly MemberStatus[]): Item {
  const meta = typeof result['_meta'] === 'object' && result['_meta'] !== null ? result['_meta'] : {};
  return { ...result, _meta: { ...meta, ...groupMeta(statuses) } };
}

/** The warning a client sees (when it reads logging) for a member that failed a group call. */
export function memberWarning(member: string, method: string, error: string): JsonRpcNotification {
  return {
    jsonrpc: '2.0',
    method: 'notifications/message',
    params: {
      level: 'warning',
      logger: 'slim-gateway',
      data: { message: `group member ${member} failed ${method}: ${error}`, member, method, error },
    },
  };
}

export interface InitializeAnswer {
  readonly member: CatalogMember;
  readonly result: Item;
}

/** The group's identity, as a server. */
export function groupServerInfo(info: { readonly route: string; readonly version: string }): Item {
  return { name: 'slim-gateway-group', title: `Group ${info.route}`, version: info.version };
}

/** The instructions of the group: how names are built, the members, then each member's own. */
export function groupInstructions(
  answers: readonly InitializeAnswer[],
  statuses: readonly MemberStatus[],
): string {
  const lines = [
    `This MCP server is a group of ${statuses.length} servers reached over SLIM. Each member's tools ` +
      `and prompts are named <prefix>_<name> and its resource URIs <prefix>+<uri>; a tool offered by ` +
      `several members can be called on all of them at once as all_<name>. Members: ` +
      statuses.map((s) => `${s.member} (prefix ${s.prefix})`).join(', ') +
      '.',
  ];
  for (const a of answers) {
    const text = a.result['instructions'];
    if (typeof text === 'string' && text.trim() !== '') lines.push(`[${a.member.key}] ${text.trim()}`);
  }
  return lines.join('\n');
}

/**
 * One initialize result for the group. The version is the one every member answered, or the
 * oldest of them when they differ (each member keeps its own on its lane). Capabilities are those
 * the group serves whatever its membership: tools, prompts and resources (with list_changed,
 * since members come and go), resource subscriptions, logging and completions (routed to the
 * member that owns the name; a member without the feature answers its own error).
 */
export function mergeInitialize(
  answers: readonly InitializeAnswer[],
  requested: string | undefined,
  info: { readonly route: string; readonly version: string },
  statuses: readonly MemberStatus[],
): Item {
  const versions = answers
    .map((a) => a.result['protocolVersion'])
    .filter((v): v is string => typeof v === 'string');
  const protocolVersion =
    versions.length === 0 ? (requested ?? FALLBACK_PROTOCOL_VERSION) : [...versions].sort()[0]!;
  return {
    protocolVersion,
    capabilities: {
      tools: { listChanged: true },
      prompts: { listChanged: true },
      resources: { listChanged: true, subscribe: true },
      logging: {},
      completions: {},
    },
    serverInfo: groupServerInfo(info),
    instructions: groupInstructions(answers, statuses),
    _meta: groupMeta(statuses),
  };
}

export type FanoutOutcome =
  | { readonly kind: 'result'; readonly result: Item }
  | { readonly kind: 'failed'; readonly code: number; readonly message: string };

export interface FanoutEntry {
  readonly member: string;
  /** The tool's name at the member. */
  readonly tool: string;
  readonly outcome: FanoutOutcome;
}

/**
 * The CallToolResult of a fan-out tool: for each member, a text block naming it and its outcome,
 * then its content blocks (each tagged with the member in `_meta`); `structuredContent.results`
 * holds every member's result or error. `isError` only when no member produced a result.
 */
export function fanoutResult(entries: readonly FanoutEntry[], statuses: readonly MemberStatus[]): Item {
  const content: Item[] = [];
  const results: Item[] = [];
  let anyResult = false;
  for (const e of entries) {
    const tag = { [MEMBER_META_KEY]: e.member };
    if (e.outcome.kind === 'result') {
      const r = e.outcome.result;
      const toolError = r['isError'] === true;
      anyResult ||= !toolError;
      content.push({ type: 'text', text: `[${e.member}] ${toolError ? 'tool error' : 'ok'}`, _meta: tag });
      const blocks = Array.isArray(r['content']) ? (r['content'] as unknown[]) : [];
      for (const b of blocks) {
        if (typeof b !== 'object' || b === null) continue;
        const block = b as Item;
        const meta = typeof block['_meta'] === 'object' && block['_meta'] !== null ? block['_meta'] : {};
        content.push({ ...block, _meta: { ...meta, ...tag } });
      }
      results.push({ member: e.member, tool: e.tool, status: toolError ? 'tool-error' : 'ok', result: r });
    } else {
      content.push({ type: 'text', text: `[${e.member}] failed: ${e.outcome.message}`, _meta: tag });
      results.push({
        member: e.member,
        tool: e.tool,
        status: 'failed',
        error: { code: e.outcome.code, message: e.outcome.message },
      });
    }
  }
  return {
    content,
    structuredContent: { results },
    isError: !anyResult,
    _meta: groupMeta(statuses),
  };
}
