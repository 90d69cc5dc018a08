// The member list of a multicast channel (docs/slimrpc.md#multicast): each member as asked for
// (its name, any instance when the id is NULL) and, once joined, with its full name; its
// invitation state; and the stable key that calls use to attribute frames to it. Frames are
// matched to members by full name first, then by components (the reference compares names with
// the id reset). inviteMember runs one member's invitation and keeps its state; only the latest
// invitation of a member still in the list, on the current group session, may mark it joined.
import { NULL_ID, formatName, sameComponents, sameName } from '../dataplane/name.js';
import type { SlimName } from '../dataplane/name.js';
import type { Logger } from '../../util/log.js';
import type { ClientSession } from './client-session.js';

export type MemberState = 'idle' | 'inviting' | 'joined' | 'failed';

export interface Member {
  readonly key: string;
  readonly requested: SlimName;
  joined?: SlimName;
  state: MemberState;
  /** Why it is not joined (failed invitation, left). */
  error?: string;
  /** The invitation under way, if any. */
  invite?: Promise<void>;
}

export class MemberList {
  private readonly list: Member[] = [];
  private nextKey = 0;

  get all(): readonly Member[] {
    return this.list;
  }

  includes(m: Member): boolean {
    return this.list.includes(m);
  }

  /** Adds `name` unless it is already a member; returns its entry. */
  add(name: SlimName): Member {
    const existing = this.find(name);
    if (existing) return existing;
    const entry: Member = { key: `m${this.nextKey++}`, requested: name, state: 'idle' };
    this.list.push(entry);
    return entry;
  }

  remove(m: Member): void {
    const i = this.list.indexOf(m);
    if (i >= 0) this.list.splice(i, 1);
  }

  /** The member a caller names: exactly, or by components when the id is NULL. */
  find(name: SlimName): Member | undefined {
    return (
      this.list.find((m) => sameName(m.requested, name) || (m.joined && sameName(m.joined, name))) ??
      this.list.find((m) => name.id === NULL_ID && sameComponents(m.requested, name))
    );
  }

  /** The member a frame or a membership event comes from. */
  fromSource(source: SlimName): Member | undefined {
    return (
      this.list.find((m) => m.joined && sameName(m.joined, source)) ??
      this.list.find((m) => sameComponents(m.joined ?? m.requested, source))
    );
  }

  /** Every member back to 'idle' (a new group session needs new invitations). */
  reset(): void {
    for (const m of this.list) {
      m.state = 'idle';
      delete m.joined;
      delete m.invite;
      delete m.error;
    }
  }

  names(): SlimName[] {
    return this.list.map((m) => m.joined ?? m.requested);
  }
}

export interface InviteContext {
  readonly list: MemberList;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  /** Whether `cs` is still the channel's group session. */
  isCurrent(cs: ClientSession): boolean;
  readonly logger: Logger;
}

/** Invites `m` into `cs`'s group; never rejects (a failure is the member's state). */
export function inviteMember(cs: ClientSession, m: Member, ctx: InviteContext): Promise<void> {
  m.state = 'inviting';
  const p = cs.session.invite(m.requested, { signal: ctx.signal, timeoutMs: ctx.timeoutMs }).then(
    (full) => {
      if (!ctx.list.includes(m)) {
        // Removed while its invitation was under way: take it out of the group again.
        void cs.session.remove(full).catch(() => undefined);
        return;
      }
      if (m.invite !== p || !ctx.isCurrent(cs)) return;
      m.joined = full;
      m.state = 'joined';
      delete m.error;
      ctx.logger.debug({ member: formatName(full) }, 'member joined');
    },
    (err: unknown) => {
      if (m.invite !== p) return;
      m.state = 'failed';
      m.error = `could not invite ${formatName(m.requested)}: ${err instanceof Error ? err.message : String(err)}`;
      ctx.logger.debug({ member: formatName(m.requested) }, 'invitation failed');
    },
  );
  m.invite = p;
  return p;
}
