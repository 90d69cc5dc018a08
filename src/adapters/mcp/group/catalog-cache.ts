// The last list each member answered, per kind, kept so that a call on a presented name can be
// routed without listing again (presented-catalog.ts does the naming). One cache per group route, not per
// client session: members are expected to offer the same lists to every session. A member's
// `list_changed` drops its entry; a name that cannot be routed makes the relay list again.
import type { GroupMembers, Member } from '../../group/members.js';
import type { Classified } from '../jsonrpc.js';
import type { Item, ListKind, MemberItems } from './presented-catalog.js';

const CHANGED: Readonly<Record<string, readonly ListKind[]>> = {
  'notifications/tools/list_changed': ['tools'],
  'notifications/prompts/list_changed': ['prompts'],
  'notifications/resources/list_changed': ['resources', 'resourceTemplates'],
};

export class CatalogCache {
  private readonly lists = new Map<string, Partial<Record<ListKind, readonly Item[]>>>();

  constructor(private readonly members: GroupMembers) {}

  set(member: Member, kind: ListKind, items: readonly Item[]): void {
    const entry = this.lists.get(member.key) ?? {};
    entry[kind] = items;
    this.lists.set(member.key, entry);
  }

  /** The cached lists of the current members, in member order. */
  get(kind: ListKind): MemberItems[] {
    const out: MemberItems[] = [];
    for (const m of this.members.all()) {
      const items = this.lists.get(m.key)?.[kind];
      if (items) out.push({ member: { key: m.key, prefix: m.prefix }, items });
    }
    return out;
  }

  forget(key: string): void {
    this.lists.delete(key);
  }

  /** A member's message went by: its list_changed makes its cached list stale. */
  noticeFrame(member: Member, c: Classified): boolean {
    if (c.kind !== 'notification') return false;
    const kinds = CHANGED[c.message.method];
    if (!kinds) return false;
    const entry = this.lists.get(member.key);
    if (entry) for (const k of kinds) delete entry[k];
    return true;
  }
}
