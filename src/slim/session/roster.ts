// The roster of one session (docs/sessions-mls.md#moderator-and-participant, #heartbeats): who is
// in the group (one member per base name, in the order they joined: GROUP_WELCOME and GROUP_UPDATE
// list them in that order), whether each is online, and, on a moderator, each member's MLS
// identity (the leaf that a remove or a rejoin commit replaces). Plain data with no I/O: the session
// turns its changes into liveness tracking, data endpoints, events and frames.
import { baseName, nameKey, sameName } from '../dataplane/name.js';
import type { SlimName } from '../dataplane/name.js';
import type { Member } from './frames.js';

export class Roster {
  /** By base name: a member's instance id may differ from the name it was invited by. */
  private readonly members = new Map<string, Member>();
  /** Moderator only: base name -> MLS identity of its leaf. */
  private readonly identities = new Map<string, string>();

  constructor(readonly local: SlimName) {}

  get size(): number {
    return this.members.size;
  }

  /** The member under this base name, whatever its instance id. */
  get(name: SlimName): Member | undefined {
    return this.members.get(baseName(name));
  }

  /** The member with exactly this name (instance id included): a frame's source must be one. */
  exact(name: SlimName): Member | undefined {
    const m = this.get(name);
    return m && sameName(m.name, name) ? m : undefined;
  }

  /** The member whose full name has this key (nameKey), as liveness and the data path know it. */
  byKey(key: string): Member | undefined {
    for (const m of this.members.values()) if (nameKey(m.name) === key) return m;
    return undefined;
  }

  has(name: SlimName): boolean {
    return this.members.has(baseName(name));
  }

  isLocal(name: SlimName): boolean {
    return sameName(name, this.local);
  }

  /** Every member, ourselves included, in joining order. */
  all(): Member[] {
    return [...this.members.values()];
  }

  /** The names of the members online (ourselves included). */
  online(): SlimName[] {
    return this.all()
      .filter((m) => m.online)
      .map((m) => m.name);
  }

  /** The online members other than ourselves: the ones a group-wide request waits for. */
  others(): Member[] {
    return this.all().filter((m) => m.online && !this.isLocal(m.name));
  }

  /** Keys (nameKey) of others(). */
  othersKeys(): string[] {
    return this.others().map((m) => nameKey(m.name));
  }

  /** A member joins, or its entry is replaced (same base name). */
  join(member: Member): void {
    this.members.set(baseName(member.name), member);
  }

  /** A member leaves; returns it (with its MLS identity, kept until forgotten) if it was here. */
  leave(name: SlimName): Member | undefined {
    const m = this.get(name);
    if (m) this.members.delete(baseName(name));
    return m;
  }

  /** Marks a member offline; false if it already was (nothing changed). */
  markOffline(member: Member): boolean {
    if (!member.online) return false;
    member.online = false;
    return true;
  }

  /** Marks a member online; false if it already was (nothing changed). */
  markOnline(member: Member): boolean {
    if (member.online) return false;
    member.online = true;
    return true;
  }

  identity(name: SlimName): string | undefined {
    return this.identities.get(baseName(name));
  }

  setIdentity(name: SlimName, identity: string): void {
    this.identities.set(baseName(name), identity);
  }

  forgetIdentity(name: SlimName): void {
    this.identities.delete(baseName(name));
  }
}
