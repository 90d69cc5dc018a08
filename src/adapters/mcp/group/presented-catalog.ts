// What a group's members offer, as the group presents it (docs/mcp-over-slimrpc.md "Groups"):
// the union of the members' tools, prompts, resources and resource templates, renamed by the rules
// of adapters/group/names.ts, plus one fan-out tool `all_<tool>` per tool name that two or more
// members share; and the way back, from a presented name or URI to the member that owns it.
// Pure: the relay feeds it the members' list results and asks it where a call goes.
import { fanoutName, prefixedName, prefixedUri } from '../../group/names.js';

export type ListKind = 'tools' | 'prompts' | 'resources' | 'resourceTemplates';

/** The list method of each kind, and the result member that holds the items. */
export const LIST_METHODS: Readonly<Record<string, ListKind>> = {
  'tools/list': 'tools',
  'prompts/list': 'prompts',
  'resources/list': 'resources',
  'resources/templates/list': 'resourceTemplates',
};

export type Item = Record<string, unknown>;

/** One member as the catalog sees it. */
export interface CatalogMember {
  /** `org/ns/app`. */
  readonly key: string;
  readonly prefix: string;
}

export type Route =
  | { readonly kind: 'member'; readonly member: string; readonly name: string }
  | { readonly kind: 'fanout'; readonly name: string; readonly owners: readonly string[] };

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A member's item as presented: renamed, or with its URI prefixed. */
export function presentItem(kind: ListKind, m: CatalogMember, item: Item): Item | undefined {
  switch (kind) {
    case 'tools':
    case 'prompts': {
      const name = str(item['name']);
      return name === undefined ? undefined : { ...item, name: prefixedName(m.prefix, name) };
    }
    case 'resources': {
      const uri = str(item['uri']);
      return uri === undefined ? undefined : { ...item, uri: prefixedUri(m.prefix, uri) };
    }
    case 'resourceTemplates': {
      const t = str(item['uriTemplate']);
      return t === undefined ? undefined : { ...item, uriTemplate: prefixedUri(m.prefix, t) };
    }
  }
}

export interface MemberItems {
  readonly member: CatalogMember;
  readonly items: readonly Item[];
}

/** The presented list: every member's items in member order, then the fan-out tools (tools only). */
export function presentList(kind: ListKind, lists: readonly MemberItems[]): Item[] {
  const out: Item[] = [];
  for (const { member, items } of lists) {
    for (const item of items) {
      const p = presentItem(kind, member, item);
      if (p) out.push(p);
    }
  }
  if (kind === 'tools') out.push(...fanoutTools(lists));
  return out;
}

/** Tool names offered by two or more members, with their owners in member order. */
export function sharedTools(lists: readonly MemberItems[]): Map<string, { owners: string[]; tools: Item[] }> {
  const by = new Map<string, { owners: string[]; tools: Item[] }>();
  for (const { member, items } of lists) {
    for (const tool of items) {
      const name = str(tool['name']);
      if (name === undefined) continue;
      const e = by.get(name) ?? { owners: [], tools: [] };
      if (!e.owners.includes(member.key)) {
        e.owners.push(member.key);
        e.tools.push(tool);
      }
      by.set(name, e);
    }
  }
  for (const [name, e] of by) if (e.owners.length < 2) by.delete(name);
  return by;
}

/** JSON Schema of the fan-out tools' structuredContent. */
export const FANOUT_OUTPUT_SCHEMA = {
  type: 'object',
  properties: {
    results: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          member: { type: 'string', description: 'SLIM name of the member (org/namespace/app)' },
          tool: { type: 'string', description: "the tool's name at the member" },
          status: { type: 'string', enum: ['ok', 'tool-error', 'failed'] },
          result: { type: 'object', description: "the member's CallToolResult (ok and tool-error)" },
          error: {
            type: 'object',
            properties: { code: { type: 'integer' }, message: { type: 'string' } },
            description: 'why the member gave no result (failed)',
          },
        },
        required: ['member', 'tool', 'status'],
      },
    },
  },
  required: ['results'],
} as const;

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** One `all_<tool>` per shared tool name. Its input schema is the first owner's. */
export function fanoutTools(lists: readonly MemberItems[]): Item[] {
  const out: Item[] = [];
  for (const [name, { owners, tools }] of sharedTools(lists)) {
    const first = tools[0]!;
    const schemas = tools.map((t) => t['inputSchema']);
    const differ = schemas.some((s) => !sameJson(s, schemas[0]));
    const description =
      `Calls ${name} on every group member that offers it (${owners.join(', ')}) at once and returns ` +
      `each member's result, attributed to the member.` +
      (differ ? ' The members declare different input schemas; the arguments go to each unchanged.' : '');
    out.push({
      name: fanoutName(name),
      title: `${str(first['title']) ?? name} (all members)`,
      description,
      inputSchema: first['inputSchema'] ?? { type: 'object' },
      outputSchema: FANOUT_OUTPUT_SCHEMA,
    });
  }
  return out;
}

/** Where a presented tool or prompt name goes, given the members' lists. */
export function routeName(
  kind: 'tools' | 'prompts',
  presented: string,
  lists: readonly MemberItems[],
): Route | undefined {
  for (const { member, items } of lists) {
    for (const item of items) {
      const name = str(item['name']);
      if (name !== undefined && prefixedName(member.prefix, name) === presented)
        return { kind: 'member', member: member.key, name };
    }
  }
  if (kind === 'tools') {
    for (const [name, { owners }] of sharedTools(lists))
      if (fanoutName(name) === presented) return { kind: 'fanout', name, owners };
  }
  return undefined;
}
