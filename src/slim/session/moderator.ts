// The initiator of a session is its moderator (spec/slim-session-mls.md §2.1, §3.2-§3.4,
// crates/session/src/session_moderator.rs). Invites run DISCOVERY -> JOIN -> (MLS add) ->
// GROUP_UPDATE(ADD) to the others and GROUP_WELCOME to the newcomer in the same batch -> ACKs;
// removes run MLS remove -> GROUP_UPDATE(REMOVE) -> LEAVE_REQUEST; a member leaving gets its
// LEAVE_REPLY at once and is then removed the same way; a member that missed a commit is taken
// back with one remove+add commit (REJOIN_REQUEST -> REJOIN_REPLY + GROUP_UPDATE(REJOIN)); close
// sends GROUP_CLOSE. Membership changes are tasks run one at a time (task-queue.ts). A p2p session
// is a group of two whose invite happens inside createSession. The frames it sends are built in
// moderator-frames.ts.
import { baseName, nameKey, sameName } from '../dataplane/name.js';
import type { SlimName } from '../dataplane/name.js';
import { GroupUpdateOp } from '../proto/index.js';
import { combineSignals, raceSignal } from '../../util/abort.js';
import { GatewayError, describeError, isGatewayError } from '../../util/errors.js';
import { GROUP_FANOUT, META_JOIN_REFUSED, META_LEAVING_SESSION, TRUE_VAL } from './constants.js';
import { MsgType, commandOf, memberInit, readMember } from './frames.js';
import type { Inbound, Member } from './frames.js';
import { unsubscribeChannels } from './channels.js';
import { RecentDepartures } from './departures.js';
import { ModeratorBase } from './moderator-base.js';
import { NoReplyError } from './errors.js';
import {
  closeFrame,
  discoveryFrame,
  groupUpdateFrame,
  joinFrame,
  leaveFrame,
  welcomeFrame,
} from './moderator-frames.js';

export class ModeratorSession extends ModeratorBase {
  private closing: Promise<void> | undefined;
  private readonly departures = new RecentDepartures(this.deps.clock, this.params.policy.intervalMs);

  get destination(): SlimName {
    return this.peer ?? this.target;
  }

  dataTarget(): { name: SlimName; fanout: number } {
    if (this.kind === 'group') return { name: this.channels!.data, fanout: GROUP_FANOUT };
    return { name: this.peer ?? this.target, fanout: 1 };
  }

  protected groupName(): SlimName | undefined {
    return this.kind === 'group' ? this.channels?.control : this.peer;
  }

  /** Group: subscribes the channels and creates the MLS group. p2p: invites the peer. */
  async setup(options: { signal?: AbortSignal; timeoutMs: number }): Promise<void> {
    if (this.kind === 'group') {
      await this.run(() => this.start(undefined));
    } else {
      await this.invite(this.target, options);
    }
    this.state = 'open';
  }

  invite(name: SlimName, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<SlimName> {
    if (this.kind === 'p2p' && this.started) {
      return Promise.reject(
        new GatewayError('INVALID_ARGUMENT', 'a point-to-point session has exactly one peer'),
      );
    }
    return this.enqueue(() => this.inviteFlow(name, options.signal, options.timeoutMs));
  }

  remove(name: SlimName): Promise<void> {
    if (this.kind === 'p2p') {
      return Promise.reject(
        new GatewayError('INVALID_ARGUMENT', 'cannot remove the peer of a point-to-point session'),
      );
    }
    return this.enqueue(() => this.removeFlow(name, true));
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.stopDelivery();
      this.closing = this.closeFlow();
    }
    return this.closing;
  }

  // ---- tasks ----

  private async inviteFlow(name: SlimName, signal?: AbortSignal, timeoutMs?: number): Promise<SlimName> {
    const deadline = combineSignals([signal], timeoutMs ?? this.setupBudget());
    try {
      const [found] = await this.exchange(
        discoveryFrame(this.route(name)),
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
      await this.run(async () => {
        if (this.roster.has(baseName(peer)))
          throw new GatewayError('ALREADY_EXISTS', `${baseName(peer)} is already a member`);
        await this.start(peer);
      });
      const join = joinFrame(this.route(peer, 1, { ...this.metadata }), this.joinPayload());
      const [joined] = await this.exchange(join, [nameKey(peer)], 'join', deadline.signal);
      if (joined!.type === MsgType.GROUP_NACK) {
        const why = joined!.metadata[META_JOIN_REFUSED] ?? 'no reason given';
        throw new GatewayError('AUTH', `${baseName(peer)} refused to join: ${why}`);
      }
      const reply = commandOf(joined!, 'joinReply');
      const member = readMember(reply?.participant);
      if (!reply || !member || !sameName(member.name, peer))
        throw new GatewayError('PROTOCOL', 'malformed JOIN_REPLY');
      const waits = await this.run(() => this.admit({ ...member, online: true }, reply.keyPackage));
      const [welcome, update] = await Promise.allSettled([
        raceSignal(waits.welcome, deadline.signal),
        waits.update ? raceSignal(waits.update, deadline.signal) : Promise.resolve([]),
      ]);
      if (welcome.status === 'rejected') {
        await this.enqueueLocalRemoval(peer);
        throw welcome.reason instanceof Error ? welcome.reason : new Error(String(welcome.reason));
      }
      if (update.status === 'rejected') await this.run(() => this.partialFailure(update.reason));
      this.emit({ type: 'joined', name: peer });
      return peer;
    } finally {
      deadline.dispose();
    }
  }

  private async removeFlow(name: SlimName, sendLeave: boolean): Promise<void> {
    const plan = await this.run(async () => {
      const m = this.roster.get(baseName(name));
      if (!m || sameName(m.name, this.local))
        throw new GatewayError('NOT_FOUND', `${baseName(name)} is not a member`);
      const before = [...this.roster.values()].map(memberInit);
      this.dropMember(m.name);
      let mls: { commitId: number; mlsContent: Uint8Array } | undefined;
      const identity = this.identities.get(baseName(m.name));
      if (this.group && identity) {
        const res = await this.group.removeMember(identity);
        this.identities.delete(baseName(m.name));
        mls = { commitId: ++this.commitId, mlsContent: res.commit };
      }
      let update: Promise<unknown> | undefined;
      if (before.length > 2) {
        const frame = groupUpdateFrame(this.controlRoute(), GroupUpdateOp.REMOVE, m, before, mls);
        update = (await this.request(frame, this.othersKeys(), 'group update')).done;
      }
      return { member: m, update };
    });
    if (plan.update) await plan.update.catch((err: unknown) => this.run(() => this.partialFailure(err)));
    if (sendLeave) {
      const leave = leaveFrame(this.route(plan.member.name));
      // A member that does not answer is gone anyway: it has been removed from the group.
      await this.exchange(leave, [nameKey(plan.member.name)], 'leave').catch(() => undefined);
      this.departures.removed(nameKey(plan.member.name));
    }
    this.emit({ type: 'left', name: plan.member.name });
  }

  /**
   * A member that missed a commit asks back in (§3.5): one commit removes its old leaf and adds
   * its fresh KeyPackage; REJOIN_REPLY carries the Welcome (same id as the request, remembered
   * for resends), GROUP_UPDATE(REJOIN) the commit for the others.
   */
  private async rejoinFlow(frame: Inbound): Promise<void> {
    const plan = await this.run(async () => {
      const req = commandOf(frame, 'rejoinRequest');
      const m = this.roster.get(baseName(frame.source));
      if (!req || !m || !sameName(m.name, frame.source) || this.state !== 'open') return undefined;
      let mls: { commitId: number; mlsContent: Uint8Array } | undefined;
      let welcome: Uint8Array = new Uint8Array();
      const identity = this.identities.get(baseName(m.name));
      if (this.group && identity) {
        const res = await this.group.rejoinMember(identity, req.keyPackage);
        this.identities.set(baseName(m.name), res.memberIdentity);
        mls = { commitId: ++this.commitId, mlsContent: res.commit };
        welcome = res.welcome;
      }
      await this.reply(frame, MsgType.REJOIN_REPLY, {
        case: 'rejoinReply',
        value: { commitId: mls?.commitId ?? 0, mlsContent: welcome },
      });
      if (!m.online) {
        m.online = true;
        await this.addMember(m, false);
        this.emit({ type: 'online', name: m.name });
      }
      const participants = [...this.roster.values()].map(memberInit);
      const update = groupUpdateFrame(this.controlRoute(), GroupUpdateOp.REJOIN, m, participants, mls);
      return this.request(update, this.othersKeys(), 'group update');
    });
    await plan?.done.catch((err: unknown) => this.run(() => this.partialFailure(err)));
  }

  private async closeFlow(): Promise<void> {
    try {
      await this.closeRequest();
    } catch (err) {
      this.log.debug({ err: describeError(err) }, 'could not say goodbye; closing anyway');
    } finally {
      // Whatever happened on the way (the link gone, a send that failed), closing ends the session.
      await this.run(() => this.teardown({ reason: 'local' }));
    }
  }

  private async closeRequest(): Promise<void> {
    // Members that never answer (or a link that is down) do not keep us open.
    await this.goodbye(async () => {
      if (this.state === 'closed') return undefined;
      this.state = 'closing';
      this.cancelTasks();
      const others = [...this.roster.values()].filter((m) => m.online && !sameName(m.name, this.local));
      if (!this.started || others.length === 0) return undefined;
      const to = this.kind === 'group' ? this.channels!.control : this.peer!;
      const frame = closeFrame(
        this.route(to, this.kind === 'group' ? GROUP_FANOUT : 1),
        this.roster.values(),
      );
      return { frame, expected: others.map((m) => nameKey(m.name)), what: 'close' };
    });
  }

  // ---- steps on the loop ----

  private async admit(member: Member, keyPackage: Uint8Array | undefined) {
    let commit: Uint8Array | undefined;
    let welcome: Uint8Array | undefined;
    if (this.group) {
      if (!keyPackage)
        throw new GatewayError('PROTOCOL', 'JOIN_REPLY without a key package in an MLS session');
      const res = await this.group.addMember(keyPackage);
      this.identities.set(baseName(member.name), res.memberIdentity);
      this.commitId += 1;
      commit = res.commit;
      welcome = res.welcome;
    }
    const cid = this.commitId;
    await this.addMember(member);
    const participants = [...this.roster.values()].map(memberInit);
    let update: Promise<unknown> | undefined;
    if (this.roster.size > 2) {
      const mls = commit ? { commitId: cid, mlsContent: commit } : undefined;
      const frame = groupUpdateFrame(this.controlRoute(), GroupUpdateOp.ADD, member, participants, mls);
      const expected = this.othersKeys().filter((k) => k !== nameKey(member.name));
      update = (await this.request(frame, expected, 'group update')).done;
    }
    const mlsWelcome = welcome ? { commitId: cid, mlsContent: welcome } : undefined;
    const frame = welcomeFrame(this.route(member.name), participants, mlsWelcome);
    const done = (await this.request(frame, [nameKey(member.name)], 'welcome')).done;
    return { welcome: done, update };
  }

  /** An invitee that never acknowledged its welcome is taken out again (MLS included). */
  private enqueueLocalRemoval(peer: SlimName): Promise<void> {
    if (this.kind === 'p2p' || this.state !== 'open') return Promise.resolve();
    void this.enqueue(() => this.removeFlow(peer, false)).catch(() => undefined);
    return Promise.resolve();
  }

  protected async onControl(frame: Inbound): Promise<void> {
    switch (frame.type) {
      case MsgType.LEAVE_REQUEST:
        if (frame.metadata[META_LEAVING_SESSION] === TRUE_VAL) await this.onMemberLeaving(frame);
        return;
      case MsgType.HEARTBEAT:
        return this.onHeartbeat(frame);
      case MsgType.UPDATE_PARTICIPANT_STATE:
        return this.onParticipantState(frame);
      case MsgType.REJOIN_REQUEST:
        // Queued like every membership change (the reference drops it while busy).
        void this.enqueue(() => this.rejoinFlow(frame)).catch((err: unknown) =>
          this.log.warn({ err: describeError(err) }, 'rejoin failed'),
        );
        return;
      default:
        return; // replies are matched by the base; anything else is not for a moderator
    }
  }

  private async onMemberLeaving(frame: Inbound): Promise<void> {
    await this.reply(frame, MsgType.LEAVE_REPLY, { case: 'leaveReply', value: {} });
    const m = this.roster.get(baseName(frame.source));
    if (!m || !sameName(m.name, frame.source)) {
      this.departures.goodbye(nameKey(frame.source));
      return;
    }
    if (this.kind === 'p2p' || this.roster.size <= 2) {
      this.dropMember(m.name);
      this.emit({ type: 'left', name: m.name });
      await this.teardown({ reason: 'remote' });
      return;
    }
    void this.enqueue(() => this.removeFlow(m.name, false)).catch(() => undefined);
  }

  protected override async releaseResources(): Promise<void> {
    this.cancelTasks();
    this.departures.clear();
    if (this.kind === 'group' && this.started) await unsubscribeChannels(this.deps, this.channels!, this.log);
  }
}
