// An invited session (docs/sessions-mls.md#moderator-and-participant, #group-sessions,
// crates/session/src/session_participant.rs): JOIN_REQUEST -> JOIN_REPLY (with a KeyPackage under
// MLS) -> the moderator's GROUP_WELCOME (join the MLS group, subscribe the group channels, learn the
// roster) -> GROUP_ACK, at which point the app sees the session. GROUP_UPDATEs are acknowledged and
// their commits applied strictly in commit_id order; GROUP_CLOSE and the moderator's LEAVE_REQUEST
// end the session; close() leaves with LEAVE_REQUEST(LEAVING_SESSION=TRUE); a missed commit asks
// back in with REJOIN_REQUEST. The role of a session (role.ts): it acts on the session only through
// its RoleHost. What it reads from a JOIN_REQUEST and the frames it builds are in
// participant-frames.ts.
import { nameKey, sameName, withoutId } from '../dataplane/name.js';
import type { SlimName } from '../dataplane/name.js';
import type { MlsClient, PendingJoin } from '../mls/types.js';
import { GroupUpdateOp } from '../proto/index.js';
import { GatewayError, describeError } from '../../util/errors.js';
import { GROUP_FANOUT } from './constants.js';
import { MsgType, commandOf, readFrame, readMember } from './frames.js';
import type { Inbound, Member } from './frames.js';
import { joinReply, leavingFrame, leavingMetadata, rejoinFrame } from './participant-frames.js';
import type { RoleHost, SessionRole } from './role.js';
import { CommitOrder } from './state/commit-order.js';

interface QueuedCommit {
  readonly commit: Uint8Array;
  /** The commit that removes us: not applied (we are out of the group). */
  readonly removesUs: boolean;
}

export class ParticipantRole implements SessionRole {
  private pendingJoin: PendingJoin | undefined;
  private readonly commits = new CommitOrder<QueuedCommit>();
  private welcomed = false;
  private removed = false;
  private closing: Promise<void> | undefined;
  private cancelSetup: (() => void) | undefined;
  private rejoining: { id: number; pending: PendingJoin } | undefined;

  constructor(
    private readonly host: RoleHost,
    private readonly moderator: SlimName,
    private readonly mlsClient: () => Promise<MlsClient>,
    /** Called once the welcome is in: the app hands the session to its user. */
    private readonly ready: () => void,
  ) {}

  destination(): SlimName {
    // A group's channel name as the app named it (the moderator's view too); p2p: the moderator.
    return this.host.kind === 'group' ? withoutId(this.host.channels!.data) : this.moderator;
  }

  dataTarget(): { name: SlimName; fanout: number } {
    return this.host.kind === 'group'
      ? { name: this.host.channels!.data, fanout: GROUP_FANOUT }
      : { name: this.moderator, fanout: 1 };
  }

  groupName(): SlimName | undefined {
    return this.host.kind === 'group' ? this.host.channels!.control : this.moderator;
  }

  invite(): Promise<SlimName> {
    return Promise.reject(new GatewayError('INVALID_ARGUMENT', 'only the moderator can invite'));
  }

  remove(): Promise<void> {
    return Promise.reject(new GatewayError('INVALID_ARGUMENT', 'only the moderator can remove members'));
  }

  /** Gives the join up if no welcome comes within `setupTimeoutMs` (from the JOIN_REQUEST). */
  watchSetup(setupTimeoutMs: number): void {
    this.cancelSetup = this.host.clock.setTimer(() => {
      void this.host.run(async () => {
        if (this.welcomed) return;
        this.host.log.info('no welcome from the moderator: giving up the join');
        await this.host.teardown({ reason: 'error', error: new GatewayError('TIMEOUT', 'no welcome') });
      });
    }, setupTimeoutMs);
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.host.stopDelivery();
      this.closing = this.leave();
    }
    return this.closing;
  }

  async onControl(frame: Inbound): Promise<void> {
    const host = this.host;
    switch (frame.type) {
      case MsgType.JOIN_REQUEST:
        return this.onJoinRequest(frame);
      case MsgType.GROUP_WELCOME:
        return this.onWelcome(frame);
      case MsgType.GROUP_UPDATE:
        return this.onUpdate(frame);
      case MsgType.GROUP_CLOSE:
        if (!sameName(frame.source, this.moderator)) return;
        await host.reply(frame, MsgType.GROUP_ACK, { case: 'groupAck', value: {} });
        return host.teardown({ reason: 'remote' });
      case MsgType.LEAVE_REQUEST:
        if (!sameName(frame.source, this.moderator)) return;
        await host.reply(frame, MsgType.LEAVE_REPLY, { case: 'leaveReply', value: {} });
        return host.teardown({ reason: 'remote' });
      case MsgType.REJOIN_REPLY:
        return this.onRejoinReply(frame);
      default:
        return;
    }
  }

  /**
   * We missed a commit (a heartbeat shows a later epoch, or a commit did not apply): ask the
   * moderator to take us back in with a fresh KeyPackage (REJOIN_REQUEST,
   * docs/sessions-mls.md#rejoin-and-participant-state). One at a time; a request that gets no
   * answer is tried again on the next sign that we are behind.
   */
  async onBehind(): Promise<void> {
    const host = this.host;
    if (!host.mls || this.rejoining !== undefined || this.removed || host.state() !== 'open') return;
    const pending = await (await this.mlsClient()).prepareJoin();
    const frame = rejoinFrame(host.route(this.moderator), host.local, pending.keyPackage);
    const id = readFrame(frame)!.messageId;
    this.rejoining = { id, pending };
    const { done } = await host.request(frame, [nameKey(this.moderator)], 'rejoin');
    done.catch(() => host.run(() => (this.rejoining?.id === id ? (this.rejoining = undefined) : undefined)));
  }

  async release(): Promise<void> {
    this.cancelSetup?.();
    if (this.host.channels && this.welcomed) await this.host.unsubscribeChannels();
  }

  // ---- leaving ----

  private async leave(): Promise<void> {
    try {
      await this.leaveRequest();
    } catch (err) {
      this.host.log.debug({ err: describeError(err) }, 'could not say goodbye; closing anyway');
    } finally {
      // Whatever happened on the way (the link gone, a send that failed), closing ends the session.
      await this.host.run(() => this.host.teardown({ reason: 'local' }));
    }
  }

  private async leaveRequest(): Promise<void> {
    const host = this.host;
    // A moderator that never answers (or a link that is down) does not keep us here.
    await host.goodbye(async () => {
      if (host.state() === 'closed') return undefined;
      host.setState('closing');
      if (!this.welcomed || this.removed) return undefined;
      const frame = leavingFrame(host.route(this.moderator, 1, leavingMetadata()));
      return { frame, expected: [nameKey(this.moderator)], what: 'leave' };
    });
  }

  // ---- control frames (on the loop) ----

  private async onJoinRequest(frame: Inbound): Promise<void> {
    if (!sameName(frame.source, this.moderator) || this.pendingJoin || this.welcomed) return;
    let keyPackage: Uint8Array | undefined;
    if (this.host.mls) {
      this.pendingJoin = await (await this.mlsClient()).prepareJoin();
      keyPackage = this.pendingJoin.keyPackage;
    }
    await this.host.reply(frame, MsgType.JOIN_REPLY, joinReply(this.host.local, keyPackage));
  }

  private async onWelcome(frame: Inbound): Promise<void> {
    const host = this.host;
    const w = commandOf(frame, 'groupWelcome');
    if (!w || !sameName(frame.source, this.moderator) || this.welcomed) return;
    if (host.mls) {
      if (!w.mls || !this.pendingJoin)
        return this.joinFailed('welcome without MLS content in an MLS session');
      try {
        host.replaceGroup(await this.pendingJoin.join(w.mls.mlsContent));
      } catch (err) {
        return this.joinFailed(`cannot join the MLS group: ${describeError(err)}`);
      }
      this.commits.joined(w.mls.commitId);
    }
    if (host.channels) await host.subscribeChannels();
    this.welcomed = true;
    host.setState('open');
    this.cancelSetup?.();
    for (const p of w.participants) {
      const m = readMember(p);
      if (m) await host.addMember(m);
    }
    host.startLiveness();
    await host.reply(frame, MsgType.GROUP_ACK, { case: 'groupAck', value: {} });
    this.ready();
  }

  private async onUpdate(frame: Inbound): Promise<void> {
    const u = commandOf(frame, 'groupUpdate');
    if (!u || !this.welcomed || !sameName(frame.source, this.moderator)) return;
    const member = readMember(u.participant);
    const aboutUs = member !== undefined && this.host.roster.isLocal(member.name);
    if (this.host.mls && !(u.op === GroupUpdateOp.REJOIN && aboutUs)) {
      if (!u.mls) return;
      const offer = this.commits.offer(u.mls.commitId, {
        commit: u.mls.mlsContent,
        removesUs: u.op === GroupUpdateOp.REMOVE && aboutUs,
      });
      if (offer !== 'stored') return; // stale or duplicate: dropped unanswered, as the reference does
      await this.applyCommits();
    }
    const all = u.participants.map(readMember).filter((m): m is Member => m !== undefined);
    if (member) await this.applyRosterChange(u.op, member, all);
    await this.host.reply(frame, MsgType.GROUP_ACK, { case: 'groupAck', value: {} });
  }

  private async applyCommits(): Promise<void> {
    for (let next = this.commits.peek(); next; next = this.commits.peek()) {
      if (next.removesUs) this.removed = true;
      const group = this.host.group();
      if (!this.removed && group) {
        try {
          await group.applyCommit(next.commit);
        } catch (err) {
          this.host.log.error(
            { err: describeError(err), commitId: this.commits.lastApplied + 1 },
            'MLS commit failed: rejoining',
          );
          this.commits.applied();
          await this.onBehind();
          return;
        }
      }
      this.commits.applied();
    }
  }

  private async applyRosterChange(op: GroupUpdateOp, member: Member, all: Member[]): Promise<void> {
    const host = this.host;
    if (host.roster.isLocal(member.name)) {
      // Our own rejoin: the roster as the moderator sees it now.
      if (op === GroupUpdateOp.REJOIN)
        for (const m of all) if (!host.roster.has(m.name)) await host.addMember(m);
      return;
    }
    if (op === GroupUpdateOp.ADD) {
      host.lateJoiner(member.name);
      await host.addMember({ ...member, online: true });
      host.emit({ type: 'joined', name: member.name });
    } else if (op === GroupUpdateOp.REMOVE) {
      if (host.dropMember(member.name)) host.emit({ type: 'left', name: member.name });
    } else {
      const m = host.roster.get(member.name);
      if (m && host.roster.markOnline(m)) {
        await host.addMember(m, false);
        host.emit({ type: 'online', name: m.name });
      }
    }
  }

  private async onRejoinReply(frame: Inbound): Promise<void> {
    const r = commandOf(frame, 'rejoinReply');
    const rejoin = this.rejoining;
    if (!r || !rejoin || rejoin.id !== frame.messageId || !sameName(frame.source, this.moderator)) return;
    this.rejoining = undefined;
    try {
      const group = await rejoin.pending.join(r.mlsContent);
      this.host.replaceGroup(group);
      this.commits.joined(r.commitId);
      this.host.log.info({ commitId: r.commitId, epoch: String(group.epoch) }, 'rejoined the MLS group');
    } catch (err) {
      this.host.log.warn({ err: describeError(err) }, 'rejoin welcome refused');
      return;
    }
    await this.host.reply(frame, MsgType.GROUP_ACK, { case: 'groupAck', value: {} });
  }

  private async joinFailed(why: string): Promise<void> {
    this.host.log.warn({ why }, 'join failed');
    await this.host.teardown({ reason: 'error', error: new GatewayError('MLS', why) });
  }
}
