// The multicast SLIMRPC channel (docs/slimrpc.md#multicast): one MLS group session on a
// generated channel name `<c0>/<c1>/<uuid>` (like the reference), members invited on the first
// call, every call delivered to the whole group, each member's answers attributed to it.
//
// Where we are more robust than the reference: members are invited in parallel and one that cannot
// be invited (or leaves, or goes offline, or is removed) is reported for that member only — as an
// error item — instead of failing the call; a member that failed to join is re-invited in the
// background on later calls; the deadline yields one DEADLINE_EXCEEDED item per missing member.
import { randomUUID } from 'node:crypto';
import { raceSignal } from '../../util/abort.js';
import { childLogger } from '../../util/log.js';
import type { Logger } from '../../util/log.js';
import { formatName, makeName, NULL_ID } from '../dataplane/name.js';
import type { SlimName } from '../dataplane/name.js';
import type { ParticipantEvent, SlimApp } from '../session/types.js';
import type { ClientCallAction } from './client-call-state.js';
import { CallSlots } from './call-slots.js';
import { ClientCall } from './client-call.js';
import type { CallRequest, CallTarget } from './client-call.js';
import { ClientSession } from './client-session.js';
import { LinkWatch } from './link-watch.js';
import { openRpcSession } from './open-session.js';
import type { OutFrame } from './frames.js';
import { Inbox } from './inbox.js';
import { MSG_MEMBER_REMOVED, callItem, itemSize, memberEventMessage } from './multicast-items.js';
import { MemberList, inviteMember } from './multicast-members.js';
import type { Member } from './multicast-members.js';
import { MSG_CHANNEL_CLOSED, resolveChannelOptions } from './options.js';
import type { ChannelOptions, ResolvedChannelOptions } from './options.js';
import { RpcError, StatusCode } from './status.js';
import type { CallOptions, MulticastClient, MulticastItem } from './types.js';

export { MSG_MEMBER_LEFT, MSG_MEMBER_OFFLINE, MSG_MEMBER_REMOVED } from './multicast-items.js';

export interface MulticastOptions extends ChannelOptions {
  /** The group's channel name (default `<own org>/<own namespace>/<uuid v4>`). */
  channelName?: SlimName;
  /** Deadline for one member's invitation (default: the setup timeout). */
  inviteTimeoutMs?: number;
}

export function createMulticastChannel(
  app: SlimApp,
  members: readonly SlimName[],
  options: MulticastOptions = {},
): MulticastClient {
  return new MulticastChannel(app, members, options);
}

class MulticastChannel implements MulticastClient, CallTarget {
  private readonly opts: ResolvedChannelOptions;
  private readonly logger: Logger;
  private readonly channelName: SlimName;
  private readonly inviteTimeoutMs: number;
  private readonly list = new MemberList();
  private current: ClientSession | undefined;
  private creating: Promise<ClientSession> | undefined;
  private readonly closing = new AbortController();
  private readonly calls = new Set<ClientCall>();
  private readonly slots: CallSlots;
  private readonly link: LinkWatch;

  constructor(
    private readonly app: SlimApp,
    members: readonly SlimName[],
    options: MulticastOptions,
  ) {
    this.opts = resolveChannelOptions(options);
    this.slots = new CallSlots(this.opts.maxConcurrentCalls);
    this.channelName =
      options.channelName ?? makeName(app.name.org, app.name.namespace, randomUUID(), NULL_ID);
    this.inviteTimeoutMs = options.inviteTimeoutMs ?? this.opts.setupTimeoutMs;
    this.logger = childLogger(options.logger, 'rpc.multicast').child({
      channel: formatName(this.channelName),
    });
    for (const m of members) this.list.add(m);
    // As the point-to-point channel (channel.ts): the link dropping fails the calls on the group
    // session at once and the next call after the reconnect creates the group again.
    this.link = new LinkWatch(app, (err) => {
      const current = this.current;
      this.current = undefined;
      void current?.close(err.message, StatusCode.UNAVAILABLE);
    });
  }

  members(): SlimName[] {
    return this.list.names();
  }

  // ---- session and invitations

  acquire(signal: AbortSignal): Promise<ClientSession> {
    if (this.closing.signal.aborted)
      return Promise.reject(new RpcError(StatusCode.UNAVAILABLE, MSG_CHANNEL_CLOSED));
    const ready = async () => {
      let cs = this.current;
      if (!cs?.isAlive) {
        this.creating ??= this.createGroup().finally(() => (this.creating = undefined));
        cs = await this.creating;
      }
      // First call (or new members): wait for their invitations. Members that failed before are
      // re-invited in the background, so one absent member does not delay every call.
      const waits: Promise<void>[] = [];
      for (const m of this.list.all) {
        if (m.state === 'idle') waits.push(this.invite(cs, m));
        else if (m.state === 'inviting' && m.invite) waits.push(m.invite);
        else if (m.state === 'failed') void this.invite(cs, m);
      }
      await Promise.all(waits);
      return cs;
    };
    return raceSignal(ready(), signal);
  }

  private async createGroup(): Promise<ClientSession> {
    this.logger.debug('creating group session');
    const session = await openRpcSession(
      this.app,
      this.link,
      this.channelName,
      'group',
      this.opts,
      this.closing.signal,
    );
    const cs = new ClientSession(session, this.logger);
    this.list.reset();
    session.onParticipant((ev) => this.onParticipant(cs, ev));
    this.current = cs;
    return cs;
  }

  private invite(cs: ClientSession, m: Member): Promise<void> {
    return inviteMember(cs, m, {
      list: this.list,
      signal: this.closing.signal,
      timeoutMs: this.inviteTimeoutMs,
      isCurrent: (c) => this.current === c,
      logger: this.logger,
    });
  }

  private onParticipant(cs: ClientSession, ev: ParticipantEvent): void {
    if (cs !== this.current || (ev.type !== 'left' && ev.type !== 'offline' && ev.type !== 'lost')) return;
    const m = this.list.fromSource(ev.name);
    if (!m) return;
    const message = memberEventMessage(ev.type);
    if (ev.type === 'left') {
      m.state = 'failed';
      m.error = message;
      delete m.invite;
    }
    for (const call of this.calls) call.memberFailed(m.key, StatusCode.UNAVAILABLE, message);
  }

  async addMember(name: SlimName, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.closing.signal.aborted) throw new RpcError(StatusCode.UNAVAILABLE, MSG_CHANNEL_CLOSED);
    if (this.list.find(name)) return;
    const m = this.list.add(name);
    const cs = this.current;
    if (!cs?.isAlive) return; // invited with the others on the next call
    await raceSignal(this.invite(cs, m), options.signal);
    if (m.state !== 'joined') {
      this.list.remove(m);
      throw new RpcError(StatusCode.UNAVAILABLE, m.error ?? `could not invite ${formatName(name)}`);
    }
  }

  async removeMember(name: SlimName): Promise<void> {
    const m = this.list.find(name);
    if (!m) return;
    this.list.remove(m);
    delete m.invite;
    for (const call of this.calls) call.memberFailed(m.key, StatusCode.CANCELLED, MSG_MEMBER_REMOVED);
    const cs = this.current;
    if (m.joined && cs?.isAlive) {
      try {
        await cs.session.remove(m.joined);
      } catch (err) {
        const detail = err instanceof Error ? err.message : String(err);
        throw new RpcError(StatusCode.UNAVAILABLE, `could not remove ${formatName(name)}: ${detail}`, {
          cause: err,
        });
      }
    }
  }

  // ---- CallTarget

  admit(signal: AbortSignal): Promise<() => void> {
    return this.slots.acquire(signal);
  }

  memberKeys(): string[] {
    return this.list.all.map((m) => m.key);
  }

  unavailable(): { member: string; message: string }[] {
    return this.list.all
      .filter((m) => m.state !== 'joined')
      .map((m) => ({ member: m.key, message: m.error ?? 'not a member of the group' }));
  }

  resolve(source: SlimName): string | undefined {
    return this.list.fromSource(source)?.key;
  }

  publish(session: ClientSession, frame: OutFrame, signal: AbortSignal): Promise<void> {
    return session.session.publish(frame.payload, { metadata: frame.metadata, signal });
  }

  // ---- calls

  /** `endsOnData`: a unary call, each member's ending on its response (its EOS is not waited for). */
  private run(
    service: string,
    method: string,
    request: CallRequest,
    options: CallOptions = {},
    endsOnData = false,
  ) {
    const names = new Map(this.list.all.map((m) => [m.key, m] as const));
    const nameOf = (key: string) => {
      const m = names.get(key);
      return m ? (m.joined ?? m.requested) : this.channelName;
    };
    const inbox = new Inbox<MulticastItem>(this.opts.inbox, itemSize, () => call.cancel());
    if (this.closing.signal.aborted) {
      inbox.fail(new RpcError(StatusCode.UNAVAILABLE, MSG_CHANNEL_CLOSED));
      return inbox;
    }
    if (names.size === 0) {
      inbox.end();
      return inbox;
    }
    const sink = (a: ClientCallAction) => {
      if (a.type === 'finish') {
        this.calls.delete(call);
        return inbox.end();
      }
      if (!inbox.offer(callItem(a, nameOf))) {
        inbox.fail(
          new RpcError(StatusCode.RESOURCE_EXHAUSTED, 'multicast buffer full: the caller is not reading'),
        );
        call.cancel();
      }
    };
    const timeoutMs = options.timeoutMs ?? this.opts.defaultTimeoutMs;
    const call: ClientCall = new ClientCall(
      this,
      service,
      method,
      request,
      options,
      timeoutMs,
      sink,
      this.logger,
      endsOnData,
    );
    this.calls.add(call);
    call.start();
    return inbox;
  }

  unary(
    service: string,
    method: string,
    request: Uint8Array,
    options?: CallOptions,
  ): AsyncIterable<MulticastItem> {
    return this.run(service, method, { single: request }, options, true);
  }

  serverStream(
    service: string,
    method: string,
    request: Uint8Array,
    options?: CallOptions,
  ): AsyncIterable<MulticastItem> {
    return this.run(service, method, { single: request }, options);
  }

  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort();
    this.link.dispose();
    for (const call of [...this.calls]) call.cancel(StatusCode.CANCELLED, MSG_CHANNEL_CLOSED);
    const current = this.current;
    this.current = undefined;
    await current?.close(MSG_CHANNEL_CLOSED, StatusCode.CANCELLED);
  }
}
