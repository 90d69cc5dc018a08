// The members of one group route, shared by the MCP and A2A group ingresses: who is in the group
// (the MLS group of the multicast channel, changed through MulticastClient.addMember/removeMember,
// i.e. an MLS commit), each member's prefix (names.ts), a unicast channel to each member for the
// calls that belong to one member, and each member's health as the calls see it.
//
// Health is SLIM reachability, not the member's business: a member is `down` after a call to it
// failed with UNAVAILABLE or DEADLINE_EXCEEDED (or its invitation failed), and `up` after any
// answer. A down member is probed with back-off (a protocol-specific cheap call) until it answers,
// and re-invited first if it is not in the MLS group. Every change (membership or health) is
// reported to the listeners, which tell their clients (MCP list_changed) — and is logged and
// counted (slim_gateway_group_*).
import {
  baseName,
  formatName,
  RpcError,
  sameComponents,
  StatusCode,
  statusName,
} from '../../slim/rpc/index.js';
import type { MulticastClient, RpcClient, SlimName } from '../../slim/rpc/index.js';
import { describeError } from '../../util/errors.js';
import type { Logger } from '../../util/log.js';
import type { MetricsRegistry } from '../../util/metrics.js';
import { memberClient } from './member-client.js';
import { memberPrefixes } from './names.js';

export type Health = 'unknown' | 'up' | 'down';

export interface Member {
  readonly name: SlimName;
  /** `org/ns/app`: how the member is named to clients and in logs. */
  readonly key: string;
  prefix: string;
  readonly client: RpcClient;
  health: Health;
  /** In the MLS group (false after a failed invitation, until a probe re-invites it). */
  joined: boolean;
  /** Why it is down. */
  error?: string;
  /** Times it went down since a call last succeeded (the probe back-off starts there). */
  downs: number;
}

export type MembersChange =
  | { readonly kind: 'membership'; readonly added: readonly string[]; readonly removed: readonly string[] }
  | { readonly kind: 'health'; readonly member: string; readonly health: Health };

export interface GroupMembersOptions {
  readonly route: string;
  readonly protocol: 'mcp' | 'a2a';
  readonly multicast: MulticastClient;
  /** A unicast channel to one member (owned, and closed, by GroupMembers). */
  readonly connect: (name: SlimName) => RpcClient;
  /** A cheap call proving the member is reachable; rejects with an RpcError when it is not. */
  readonly probe: (member: Member, signal: AbortSignal) => Promise<void>;
  /** Deadline of one invitation or probe. */
  readonly timeoutMs: number;
  readonly logger: Logger;
  readonly metrics?: MetricsRegistry | undefined;
  /** Back-off between probes of a down member (default 1 s doubling to 30 s). */
  readonly probeDelaysMs?: readonly number[];
}

const PROBE_DELAYS_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

/** Statuses that say the member itself could not be reached (not that it answered an error). */
export function isUnreachable(err: unknown): boolean {
  return (
    err instanceof RpcError &&
    (err.status === StatusCode.UNAVAILABLE || err.status === StatusCode.DEADLINE_EXCEEDED)
  );
}

export class GroupMembers {
  private list: Member[] = [];
  private readonly listeners = new Set<(change: MembersChange) => void>();
  private readonly leaving = new Set<(member: Member) => Promise<void>>();
  private readonly probes = new Map<string, { timer: NodeJS.Timeout; attempt: number }>();
  private readonly closing = new AbortController();
  private changes: Promise<void> = Promise.resolve();
  private readonly failures;
  private readonly up;

  constructor(
    initial: readonly SlimName[],
    private readonly o: GroupMembersOptions,
  ) {
    for (const name of initial) this.list.push(this.entry(name));
    this.assignPrefixes();
    const labels = { route: o.route, protocol: o.protocol };
    this.failures = o.metrics?.counter(
      'slim_gateway_group_member_failures_total',
      'Calls to a group member that failed (the member, not the whole call), by route, member and reason',
      ['route', 'protocol', 'member', 'method', 'reason'],
    );
    this.up = o.metrics?.gauge('slim_gateway_group_members', 'Members of a group route, by state', [
      'route',
      'protocol',
      'state',
    ]);
    this.up?.collect(() => {
      if (this.closing.signal.aborted) return; // a restarted route's new instance reports
      for (const state of ['up', 'down', 'unknown'] as const)
        this.up!.set({ ...labels, state }, this.list.filter((m) => m.health === state).length);
    });
  }

  private entry(name: SlimName): Member {
    return {
      name,
      key: baseName(name),
      prefix: '',
      client: memberClient(this.o.connect(name)),
      health: 'unknown',
      joined: true,
      downs: 0,
    };
  }

  private assignPrefixes(): void {
    const prefixes = memberPrefixes(this.list.map((m) => m.name));
    for (const m of this.list) m.prefix = prefixes.get(m.key)!;
  }

  all(): readonly Member[] {
    return this.list;
  }

  byPrefix(prefix: string): Member | undefined {
    const p = prefix.toLowerCase();
    return this.list.find((m) => m.prefix.toLowerCase() === p);
  }

  /** The member a SLIM source name belongs to (ids ignored). */
  bySource(source: SlimName): Member | undefined {
    return this.list.find((m) => sameComponents(m.name, source));
  }

  onChange(listener: (change: MembersChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs before a member leaves (while its unicast channel is still open), e.g. to end sessions. */
  beforeLeave(hook: (member: Member) => Promise<void>): () => void {
    this.leaving.add(hook);
    return () => this.leaving.delete(hook);
  }

  private emit(change: MembersChange): void {
    for (const l of [...this.listeners]) {
      try {
        l(change);
      } catch (err) {
        this.o.logger.warn({ err: describeError(err) }, 'group change listener failed');
      }
    }
  }

  /** A call to `member` answered: it is reachable. */
  reportOk(member: Member): void {
    member.downs = 0;
    this.markUp(member);
  }

  private markUp(member: Member): void {
    if (!this.list.includes(member) || member.health === 'up') return;
    const was = member.health;
    member.health = 'up';
    delete member.error;
    this.stopProbe(member);
    if (was === 'down') {
      this.o.logger.info({ member: member.key }, 'group member reachable again');
      this.emit({ kind: 'health', member: member.key, health: 'up' });
    }
  }

  /** A call to `member` failed; counted, and `down` when the failure says it is unreachable. */
  reportFailure(member: Member, err: unknown, method: string): void {
    const reason = err instanceof RpcError ? statusName(err.status) : 'error';
    this.failures?.inc({
      route: this.o.route,
      protocol: this.o.protocol,
      member: member.key,
      method,
      reason,
    });
    this.o.logger.warn(
      { member: member.key, method, reason, err: describeError(err) },
      'group member failed',
    );
    if (!this.list.includes(member) || !isUnreachable(err)) return;
    member.error = describeError(err);
    if (member.health === 'down') return;
    member.health = 'down';
    member.downs++;
    this.emit({ kind: 'health', member: member.key, health: 'down' });
    this.scheduleProbe(member);
  }

  /**
   * Makes the group exactly `next`: removed members leave the MLS group first (a commit; they can
   * no longer read what the group sends), then new ones are invited. Serialized with other changes.
   */
  setMembers(next: readonly SlimName[]): Promise<void> {
    const run = this.changes.then(() => this.apply(next));
    this.changes = run.catch(() => {});
    return run;
  }

  private async apply(next: readonly SlimName[]): Promise<void> {
    if (this.closing.signal.aborted) return;
    const keys = new Set(next.map(baseName));
    const removed = this.list.filter((m) => !keys.has(m.key));
    const added = next.filter((n) => !this.list.some((m) => m.key === baseName(n)));
    if (removed.length === 0 && added.length === 0) return;
    this.list = this.list.filter((m) => keys.has(m.key));
    for (const m of removed) {
      this.stopProbe(m);
      await Promise.all([...this.leaving].map((h) => h(m).catch(() => {})));
      try {
        await this.o.multicast.removeMember(m.name);
      } catch (err) {
        this.o.logger.warn(
          { member: m.key, err: describeError(err) },
          'could not remove a member from the group',
        );
      }
      await m.client.close().catch(() => {});
      this.o.logger.info({ member: m.key }, 'group member removed');
    }
    const fresh = added.map((n) => this.entry(n));
    this.list.push(...fresh);
    this.assignPrefixes();
    await Promise.all(fresh.map((m) => this.invite(m)));
    this.emit({ kind: 'membership', added: fresh.map((m) => m.key), removed: removed.map((m) => m.key) });
  }

  private async invite(m: Member): Promise<void> {
    const signal = AbortSignal.any([this.closing.signal, AbortSignal.timeout(this.o.timeoutMs)]);
    try {
      await this.o.multicast.addMember(m.name, { signal });
      m.joined = true;
      this.o.logger.info({ member: m.key, prefix: m.prefix }, 'group member added');
    } catch (err) {
      m.joined = false;
      m.health = 'down';
      m.error = `could not invite ${formatName(m.name)}: ${describeError(err)}`;
      this.o.logger.warn(
        { member: m.key, err: describeError(err) },
        'group member could not be invited; retrying',
      );
      this.scheduleProbe(m);
    }
  }

  private scheduleProbe(m: Member): void {
    if (this.closing.signal.aborted || this.probes.has(m.key)) return;
    const delays = this.o.probeDelaysMs ?? PROBE_DELAYS_MS;
    // A member that keeps going down (reachable, but failing its calls) is probed less and less
    // often, so its clients are not told list_changed every second.
    const state = { timer: undefined as unknown as NodeJS.Timeout, attempt: Math.max(0, m.downs - 1) };
    const tick = async () => {
      if (this.closing.signal.aborted || !this.list.includes(m)) return;
      const signal = AbortSignal.any([this.closing.signal, AbortSignal.timeout(this.o.timeoutMs)]);
      try {
        if (!m.joined) {
          await this.o.multicast.addMember(m.name, { signal });
          m.joined = true;
        }
        await this.o.probe(m, signal);
        this.probes.delete(m.key);
        if (m.health !== 'up') {
          m.health = 'down'; // so markUp announces the change
          this.markUp(m); // reachable; a member that keeps failing its calls backs off further
        }
        return;
      } catch (err) {
        m.error = describeError(err);
      }
      if (this.closing.signal.aborted || !this.list.includes(m) || !this.probes.has(m.key)) return;
      state.attempt++;
      state.timer = setTimeout(() => void tick(), delays[Math.min(state.attempt, delays.length - 1)]);
      state.timer.unref();
    };
    state.timer = setTimeout(() => void tick(), delays[Math.min(state.attempt, delays.length - 1)]);
    state.timer.unref();
    this.probes.set(m.key, state);
  }

  private stopProbe(m: Member): void {
    const p = this.probes.get(m.key);
    if (p) clearTimeout(p.timer);
    this.probes.delete(m.key);
  }

  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort();
    for (const p of this.probes.values()) clearTimeout(p.timer);
    this.probes.clear();
    this.listeners.clear();
    this.leaving.clear();
    await Promise.all(this.list.map((m) => m.client.close().catch(() => {})));
  }
}
