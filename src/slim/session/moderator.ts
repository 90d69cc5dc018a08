// The initiator of a session is its moderator (docs/sessions-mls.md#moderator-and-participant,
// #point-to-point-sessions, #group-sessions, crates/session/src/session_moderator.rs). Invites run
// DISCOVERY -> JOIN -> (MLS add) -> GROUP_UPDATE(ADD) to the others and GROUP_WELCOME to the
// newcomer in the same batch -> ACKs; removes run MLS remove -> GROUP_UPDATE(REMOVE) ->
// LEAVE_REQUEST; a member leaving gets its LEAVE_REPLY at once and is then removed the same way; a
// member that missed a commit is taken back with one remove+add commit (REJOIN_REQUEST ->
// REJOIN_REPLY + GROUP_UPDATE(REJOIN)); close sends GROUP_CLOSE. Membership changes are tasks run
// one at a time (state/task-queue.ts); commits are numbered 1, 2, ... A p2p session is a group of
// two whose invite happens inside createSession. The role of a session (role.ts): it acts on the
// session only through its RoleHost. The frames it sends are built in moderator-frames.ts.
import { baseName, nameKey, sameName, toProtoName } from '../dataplane/name.js';
import type { SlimName } from '../dataplane/name.js';
import type { MlsClient } from '../mls/types.js';
import { GroupUpdateOp } from '../proto/index.js';
import type { Message } from '../proto/index.js';
import { combineSignals, raceSignal } from '../../util/abort.js';
import { GatewayError, describeError, isGatewayError } from '../../util/errors.js';
import { GROUP_FANOUT, META_JOIN_REFUSED, META_LEAVING_SESSION, TRUE_VAL } from './constants.js';
import { RecentDepartures } from './departures.js';
import { NoReplyError } from './errors.js';
import { MsgType, commandOf, memberInit, readFrame, readMember } from './frames.js';
import type { Inbound, Member } from './frames.js';
import {
  closeFrame,
  discoveryFrame,
  groupUpdateFrame,
  joinFrame,
  leaveFrame,
  welcomeFrame,
} from './moderator-frames.js';
import type { RoleHost, SessionRole } from './role.js';
import { TaskQueue } from './state/task-queue.js';

type Task = { start: () => Promise<void>; cancel: (err: Error) => void };

export class ModeratorRole implements SessionRole {
  private readonly tasks = new TaskQueue<Task>();
  private commitId = 0;
  private started = false;
  /** p2p: the peer, once discovery found it. */
  private peer: SlimName | undefined;
  private closing: Promise<void> | undefined;
  private readonly departures: RecentDepartures;

  constructor(
    private readonly host: RoleHost,
    /** p2p: the peer as given (usually the NULL id); group: the channel name. */
    private readonly target: SlimName,
    private readonly mlsClient: () => Promise<MlsClient>,
  ) {
    this.departures = new RecentDepartures(host.clock, host.policy.intervalMs);
  }

  destination(): SlimName {
    return this.peer ?? this.target;
  }

  dataTarget(): { name: SlimName; fanout: number } {
    if (this.host.kind === 'group') return { name: this.host.channels!.data, fanout: GROUP_FANOUT };
    return { name: this.peer ?? this.target, fanout: 1 };
  }

  groupName(): SlimName | undefined {
    return this.host.kind === 'group' ? this.host.channels?.control : this.peer;
  }

  /** Group: subscribes the channels and creates the MLS group. p2p: invites the peer. */
  async setup(options: { signal?: AbortSignal; timeoutMs: number }): Promise<void> {
    if (this.host.kind === 'group') {
      await this.host.run(() => this.start(undefined));
    } else {
      await this.invite(this.target, options);
    }
    this.host.setState('open');
  }

  invite(name: SlimName, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<SlimName> {
    if (this.host.kind === 'p2p' && this.started) {
      return Promise.reject(
        new GatewayError('INVALID_ARGUMENT', 'a point-to-point session has exactly one peer'),
      );
    }
    return this.enqueue(() => this.inviteFlow(name, options.signal, options.timeoutMs));
  }

  remove(name: SlimName): Promise<void> {
    if (this.host.kind === 'p2p') {
      return Promise.reject(
        new GatewayError('INVALID_ARGUMENT', 'cannot remove the peer of a point-to-point session'),
      );
    }
    return this.enqueue(() => this.removeFlow(name, true));
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.host.stopDelivery();
      this.closing = this.closeFlow();
    }
    return this.closing;
  }

  async onControl(frame: Inbound): Promise<void> {
    switch (frame.type) {
      case MsgType.LEAVE_REQUEST:
        if (frame.metadata[META_LEAVING_SESSION] === TRUE_VAL) await this.onMemberLeaving(frame);
        return;
      case MsgType.REJOIN_REQUEST:
        // Queued like every membership change (the reference drops it while busy).
        void this.enqueue(() => this.rejoinFlow(frame)).catch((err: unknown) =>
          this.host.log.warn({ err: describeError(err) }, 'rejoin failed'),
        );
        return;
      default:
        return; // replies are matched by the session; anything else is not for a moderator
    }
  }

  /** A moderator is never behind: its commits are the group's. */
  async onBehind(): Promise<void> {}

  async release(): Promise<void> {
    this.cancelTasks();
    this.departures.clear();
    if (this.host.kind === 'group' && this.started) await this.host.unsubscribeChannels();
  }

  // ---- tasks ----

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const task: Task = {
        start: async () => {
          try {
            resolve(await fn());
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          } finally {
            void this.tasks.finish()?.start();
          }
        },
        cancel: reject,
      };
      const state = this.host.state();
      if (state === 'closed' || state === 'closing') {
        reject(new GatewayError('CLOSED', 'session is closed'));
        return;
      }
      void this.tasks.push(task)?.start();
    });
  }

  private cancelTasks(): void {
    const err = new GatewayError('CLOSED', 'session closed');
    for (const t of this.tasks.close()) t.cancel(err);
  }

  private async inviteFlow(name: SlimName, signal?: AbortSignal, timeoutMs?: number): Promise<SlimName> {
    const host = this.host;
    const deadline = combineSignals([signal], timeoutMs ?? this.setupBudget());
    try {
      const [found] = await this.exchange(
        discoveryFrame(host.route(name)),
        [baseName(name)],
        'discovery',
        deadline.signal,
      ).catch((err: unknown) => {
        // The deadline ended the wait for a DISCOVERY_REPLY: say what an unanswered discovery means.
        if (isGatewayError(err, 'TIMEOUT'))
          throw new GatewayError(
            'TIMEOUT',
            `${err.message}: ${new NoReplyError('discovery', [baseName(name)]).message}`,
            { cause: err },
          );
        throw err;
      });
      const peer = found!.source;
      await this.departures.settled(nameKey(peer), deadline.signal);
      await host.run(async () => {
        if (host.roster.has(peer))
          throw new GatewayError('ALREADY_EXISTS', `${baseName(peer)} is already a member`);
        await this.start(peer);
      });
      const join = joinFrame(host.route(peer, 1, { ...host.metadata }), this.joinPayload());
      const [joined] = await this.exchange(join, [nameKey(peer)], 'join', deadline.signal);
      if (joined!.type === MsgType.GROUP_NACK) {
        const why = joined!.metadata[META_JOIN_REFUSED] ?? 'no reason given';
        throw new GatewayError('AUTH', `${baseName(peer)} refused to join: ${why}`);
      }
      const reply = commandOf(joined!, 'joinReply');
      const member = readMember(reply?.participant);
      if (!reply || !member || !sameName(member.name, peer))
        throw new GatewayError('PROTOCOL', 'malformed JOIN_REPLY');
      const waits = await host.run(() => this.admit({ ...member, online: true }, reply.keyPackage));
      const [welcome, update] = await Promise.allSettled([
        raceSignal(waits.welcome, deadline.signal),
        waits.update ? raceSignal(waits.update, deadline.signal) : Promise.resolve([]),
      ]);
      if (welcome.status === 'rejected') {
        await this.enqueueLocalRemoval(peer);
        throw welcome.reason instanceof Error ? welcome.reason : new Error(String(welcome.reason));
      }
      if (update.status === 'rejected') await host.run(() => this.partialFailure(update.reason));
      host.emit({ type: 'joined', name: peer });
      return peer;
    } finally {
      deadline.dispose();
    }
  }

  private async removeFlow(name: SlimName, sendLeave: boolean): Promise<void> {
    const host = this.host;
    const plan = await host.run(async () => {
      const m = host.roster.get(name);
      if (!m || host.roster.isLocal(m.name))
        throw new GatewayError('NOT_FOUND', `${baseName(name)} is not a member`);
      const before = host.roster.all().map(memberInit);
      host.dropMember(m.name);
      let mls: { commitId: number; mlsContent: Uint8Array } | undefined;
      const group = host.group();
      const identity = host.roster.identity(m.name);
      if (group && identity) {
        const res = await group.removeMember(identity);
        host.roster.forgetIdentity(m.name);
        mls = { commitId: ++this.commitId, mlsContent: res.commit };
      }
      let update: Promise<unknown> | undefined;
      if (before.length > 2) {
        const frame = groupUpdateFrame(this.controlRoute(), GroupUpdateOp.REMOVE, m, before, mls);
        update = (await host.request(frame, host.roster.othersKeys(), 'group update')).done;
      }
      return { member: m, update };
    });
    if (plan.update) await plan.update.catch((err: unknown) => host.run(() => this.partialFailure(err)));
    if (sendLeave) {
      const leave = leaveFrame(host.route(plan.member.name));
      // A member that does not answer is gone anyway: it has been removed from the group.
      await this.exchange(leave, [nameKey(plan.member.name)], 'leave').catch(() => undefined);
      this.departures.removed(nameKey(plan.member.name));
    }
    host.emit({ type: 'left', name: plan.member.name });
  }

  /**
   * A member that missed a commit asks back in (docs/sessions-mls.md#rejoin-and-participant-state):
   * one commit removes its old leaf and adds its fresh KeyPackage; REJOIN_REPLY carries the Welcome
   * (same id as the request, remembered for resends), GROUP_UPDATE(REJOIN) the commit for the
   * others.
   */
  private async rejoinFlow(frame: Inbound): Promise<void> {
    const host = this.host;
    const plan = await host.run(async () => {
      const req = commandOf(frame, 'rejoinRequest');
      const m = host.roster.exact(frame.source);
      if (!req || !m || host.state() !== 'open') return undefined;
      let mls: { commitId: number; mlsContent: Uint8Array } | undefined;
      let welcome: Uint8Array = new Uint8Array();
      const group = host.group();
      const identity = host.roster.identity(m.name);
      if (group && identity) {
        const res = await group.rejoinMember(identity, req.keyPackage);
        host.roster.setIdentity(m.name, res.memberIdentity);
        mls = { commitId: ++this.commitId, mlsContent: res.commit };
        welcome = res.welcome;
      }
      await host.reply(frame, MsgType.REJOIN_REPLY, {
        case: 'rejoinReply',
        value: { commitId: mls?.commitId ?? 0, mlsContent: welcome },
      });
      if (host.roster.markOnline(m)) {
        await host.addMember(m, false);
        host.emit({ type: 'online', name: m.name });
      }
      const participants = host.roster.all().map(memberInit);
      const update = groupUpdateFrame(this.controlRoute(), GroupUpdateOp.REJOIN, m, participants, mls);
      return host.request(update, host.roster.othersKeys(), 'group update');
    });
    await plan?.done.catch((err: unknown) => host.run(() => this.partialFailure(err)));
  }

  private async closeFlow(): Promise<void> {
    try {
      await this.closeRequest();
    } catch (err) {
      this.host.log.debug({ err: describeError(err) }, 'could not say goodbye; closing anyway');
    } finally {
      // Whatever happened on the way (the link gone, a send that failed), closing ends the session.
      await this.host.run(() => this.host.teardown({ reason: 'local' }));
    }
  }

  private async closeRequest(): Promise<void> {
    const host = this.host;
    // Members that never answer (or a link that is down) do not keep us open.
    await host.goodbye(async () => {
      if (host.state() === 'closed') return undefined;
      host.setState('closing');
      this.cancelTasks();
      const others = host.roster.others();
      if (!this.started || others.length === 0) return undefined;
      const to = host.kind === 'group' ? host.channels!.control : this.peer!;
      const frame = closeFrame(host.route(to, host.kind === 'group' ? GROUP_FANOUT : 1), host.roster.all());
      return { frame, expected: others.map((m) => nameKey(m.name)), what: 'close' };
    });
  }

  // ---- steps on the loop ----

  /** The reference's `join`: first peer found (p2p) or creation (group). */
  private async start(peer: SlimName | undefined): Promise<void> {
    if (this.started) return;
    const host = this.host;
    if (host.kind === 'p2p') this.peer = peer;
    else await host.subscribeChannels();
    if (host.mls) host.replaceGroup(await (await this.mlsClient()).createGroup());
    this.started = true;
    host.roster.join({ name: host.local, sendsData: true, receivesData: true, online: true });
    host.startLiveness();
  }

  private async admit(member: Member, keyPackage: Uint8Array | undefined) {
    const host = this.host;
    let commit: Uint8Array | undefined;
    let welcome: Uint8Array | undefined;
    const group = host.group();
    if (group) {
      if (!keyPackage)
        throw new GatewayError('PROTOCOL', 'JOIN_REPLY without a key package in an MLS session');
      const res = await group.addMember(keyPackage);
      host.roster.setIdentity(member.name, res.memberIdentity);
      this.commitId += 1;
      commit = res.commit;
      welcome = res.welcome;
    }
    const cid = this.commitId;
    await host.addMember(member);
    const participants = host.roster.all().map(memberInit);
    let update: Promise<unknown> | undefined;
    if (host.roster.size > 2) {
      const mls = commit ? { commitId: cid, mlsContent: commit } : undefined;
      const frame = groupUpdateFrame(this.controlRoute(), GroupUpdateOp.ADD, member, participants, mls);
      const expected = host.roster.othersKeys().filter((k) => k !== nameKey(member.name));
      update = (await host.request(frame, expected, 'group update')).done;
    }
    const mlsWelcome = welcome ? { commitId: cid, mlsContent: welcome } : undefined;
    const frame = welcomeFrame(host.route(member.name), participants, mlsWelcome);
    const done = (await host.request(frame, [nameKey(member.name)], 'welcome')).done;
    return { welcome: done, update };
  }

  /** An invitee that never acknowledged its welcome is taken out again (MLS included). */
  private enqueueLocalRemoval(peer: SlimName): Promise<void> {
    if (this.host.kind === 'p2p' || this.host.state() !== 'open') return Promise.resolve();
    void this.enqueue(() => this.removeFlow(peer, false)).catch(() => undefined);
    return Promise.resolve();
  }

  private async onMemberLeaving(frame: Inbound): Promise<void> {
    const host = this.host;
    await host.reply(frame, MsgType.LEAVE_REPLY, { case: 'leaveReply', value: {} });
    const m = host.roster.exact(frame.source);
    if (!m) {
      this.departures.goodbye(nameKey(frame.source));
      return;
    }
    if (host.kind === 'p2p' || host.roster.size <= 2) {
      host.dropMember(m.name);
      host.emit({ type: 'left', name: m.name });
      await host.teardown({ reason: 'remote' });
      return;
    }
    void this.enqueue(() => this.removeFlow(m.name, false)).catch(() => undefined);
  }

  // ---- helpers ----

  /** GROUP_UPDATEs go to the control channel, to every member. */
  private controlRoute() {
    return this.host.route(this.host.channels!.control, GROUP_FANOUT);
  }

  private joinPayload() {
    const host = this.host;
    const group = host.kind === 'group';
    return {
      // The reference's group participants refuse a JOIN_REQUEST without timer settings.
      timerSettings:
        host.reliable || group
          ? { timeout: host.policy.intervalMs, maxRetries: host.policy.maxRetries }
          : undefined,
      channel: group ? toProtoName(host.channels!.data) : undefined,
      control: group ? toProtoName(host.channels!.control) : undefined,
      mlsSettings: host.mls ? { headerIntegrityValidationPercent: host.headerCheckPercent } : undefined,
    };
  }

  /** Members that did not acknowledge an update are marked offline (the reference's partial success). */
  private partialFailure(err: unknown): void {
    if (err instanceof NoReplyError)
      for (const k of err.missing) this.host.memberOffline(k, 'no acknowledgement');
  }

  private setupBudget(): number {
    const p = this.host.policy;
    return (p.maxRetries + 1) * p.intervalMs * 4;
  }

  /** A request from outside the loop: waits for the replies, honouring a deadline. */
  private async exchange(frame: Message, expected: string[], what: string, signal?: AbortSignal) {
    const { done } = await this.host.run(() => this.host.request(frame, expected, what));
    try {
      return await raceSignal(done, signal);
    } catch (err) {
      const id = readFrame(frame)!.messageId;
      await this.host.run(() =>
        this.host.cancelRequest(id, err instanceof Error ? err : new Error(String(err))),
      );
      throw err;
    }
  }
}
