// An invited session (docs/sessions-mls.md#group-sessions, crates/session/src/
// session_participant.rs): JOIN_REQUEST -> JOIN_REPLY (with a KeyPackage under MLS) -> the
// moderator's GROUP_WELCOME (join the MLS group, subscribe the group channels, learn the roster)
// -> GROUP_ACK, at which point the app sees the session. GROUP_UPDATEs are acknowledged and their
// commits applied strictly in commit_id order; GROUP_CLOSE and the moderator's LEAVE_REQUEST end
// the session; close() leaves with LEAVE_REQUEST(LEAVING_SESSION=TRUE). What it reads from a
// JOIN_REQUEST and the frames it builds are in participant-frames.ts.
import { baseName, nameKey, sameName, withoutId } from '../dataplane/name.js';
import type { SlimName } from '../dataplane/name.js';
import type { MlsClient, PendingJoin } from '../mls/types.js';
import { GroupUpdateOp } from '../proto/index.js';
import { GatewayError, describeError } from '../../util/errors.js';
import { subscribeChannels, unsubscribeChannels } from './channels.js';
import { CommitOrder } from './state/commit-order.js';
import { GROUP_FANOUT } from './constants.js';
import { MsgType, commandOf, readFrame, readMember } from './frames.js';
import type { Inbound, Member } from './frames.js';
import { MemberSession } from './membership.js';
import { joinReply, leavingFrame, leavingMetadata, rejoinFrame } from './participant-frames.js';
import type { SessionDeps, SessionParams } from './session-base.js';

interface QueuedCommit {
  readonly commit: Uint8Array;
  /** The commit that removes us: not applied (we are out of the group). */
  readonly removesUs: boolean;
}

export class ParticipantSession extends MemberSession {
  private pendingJoin: PendingJoin | undefined;
  private readonly commits = new CommitOrder<QueuedCommit>();
  private welcomed = false;
  private removed = false;
  private closing: Promise<void> | undefined;
  private cancelSetup: (() => void) | undefined;
  private rejoining: { id: number; pending: PendingJoin } | undefined;

  constructor(
    deps: SessionDeps,
    params: SessionParams,
    private readonly moderator: SlimName,
    channels: { data: SlimName; control: SlimName } | undefined,
    private readonly mlsClient: () => Promise<MlsClient>,
    /** Called once the welcome is in: the app hands the session to its user. */
    private readonly ready: (s: ParticipantSession) => void,
  ) {
    super(deps, params);
    this.channels = channels;
    this.peer = params.kind === 'p2p' ? moderator : undefined;
  }

  get destination(): SlimName {
    // A group's channel name as the app named it (the moderator's view too); p2p: the moderator.
    return this.kind === 'group' ? withoutId(this.channels!.data) : this.moderator;
  }

  dataTarget(): { name: SlimName; fanout: number } {
    return this.kind === 'group'
      ? { name: this.channels!.data, fanout: GROUP_FANOUT }
      : { name: this.moderator, fanout: 1 };
  }

  protected groupName(): SlimName | undefined {
    return this.kind === 'group' ? this.channels!.control : this.moderator;
  }

  invite(): Promise<SlimName> {
    return Promise.reject(new GatewayError('INVALID_ARGUMENT', 'only the moderator can invite'));
  }

  remove(): Promise<void> {
    return Promise.reject(new GatewayError('INVALID_ARGUMENT', 'only the moderator can remove members'));
  }

  /** Handles the JOIN_REQUEST that created this session; gives up if no welcome comes in time. */
  accept(join: Inbound, setupTimeoutMs: number): void {
    this.cancelSetup = this.deps.clock.setTimer(() => {
      void this.run(async () => {
        if (this.welcomed) return;
        this.log.info('no welcome from the moderator: giving up the join');
        await this.teardown({ reason: 'error', error: new GatewayError('TIMEOUT', 'no welcome') });
      });
    }, setupTimeoutMs);
    this.deliverFrame(join);
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.stopDelivery();
      this.closing = this.leave();
    }
    return this.closing;
  }

  private async leave(): Promise<void> {
    try {
      await this.leaveRequest();
    } catch (err) {
      this.log.debug({ err: describeError(err) }, 'could not say goodbye; closing anyway');
    } finally {
      // Whatever happened on the way (the link gone, a send that failed), closing ends the session.
      await this.run(() => this.teardown({ reason: 'local' }));
    }
  }

  private async leaveRequest(): Promise<void> {
    // A moderator that never answers (or a link that is down) does not keep us here.
    await this.goodbye(async () => {
      if (this.state === 'closed') return undefined;
      this.state = 'closing';
      if (!this.welcomed || this.removed) return undefined;
      const frame = leavingFrame(this.route(this.moderator, 1, leavingMetadata()));
      return { frame, expected: [nameKey(this.moderator)], what: 'leave' };
    });
  }

  protected async onControl(frame: Inbound): Promise<void> {
    switch (frame.type) {
      case MsgType.JOIN_REQUEST:
        return this.onJoinRequest(frame);
      case MsgType.GROUP_WELCOME:
        return this.onWelcome(frame);
      case MsgType.GROUP_UPDATE:
        return this.onUpdate(frame);
      case MsgType.GROUP_CLOSE:
        if (!sameName(frame.source, this.moderator)) return;
        await this.reply(frame, MsgType.GROUP_ACK, { case: 'groupAck', value: {} });
        return this.teardown({ reason: 'remote' });
      case MsgType.LEAVE_REQUEST:
        if (!sameName(frame.source, this.moderator)) return;
        await this.reply(frame, MsgType.LEAVE_REPLY, { case: 'leaveReply', value: {} });
        return this.teardown({ reason: 'remote' });
      case MsgType.HEARTBEAT:
        return this.onHeartbeat(frame);
      case MsgType.UPDATE_PARTICIPANT_STATE:
        return this.onParticipantState(frame);
      case MsgType.REJOIN_REPLY:
        return this.onRejoinReply(frame);
      default:
        return;
    }
  }

  private async onJoinRequest(frame: Inbound): Promise<void> {
    if (!sameName(frame.source, this.moderator) || this.pendingJoin || this.welcomed) return;
    let keyPackage: Uint8Array | undefined;
    if (this.mls) {
      this.pendingJoin = await (await this.mlsClient()).prepareJoin();
      keyPackage = this.pendingJoin.keyPackage;
    }
    await this.reply(frame, MsgType.JOIN_REPLY, joinReply(this.local, keyPackage));
  }

  private async onWelcome(frame: Inbound): Promise<void> {
    const w = commandOf(frame, 'groupWelcome');
    if (!w || !sameName(frame.source, this.moderator) || this.welcomed) return;
    if (this.mls) {
      if (!w.mls || !this.pendingJoin)
        return this.joinFailed('welcome without MLS content in an MLS session');
      try {
        this.group = await this.pendingJoin.join(w.mls.mlsContent);
      } catch (err) {
        return this.joinFailed(`cannot join the MLS group: ${describeError(err)}`);
      }
      this.commits.joined(w.mls.commitId);
    }
    if (this.channels) await subscribeChannels(this.deps, this.channels);
    this.welcomed = true;
    this.state = 'open';
    this.cancelSetup?.();
    for (const p of w.participants) {
      const m = readMember(p);
      if (m) await this.addMember(m);
    }
    this.liveness.start(this.now());
    await this.reply(frame, MsgType.GROUP_ACK, { case: 'groupAck', value: {} });
    this.ready(this);
  }

  private async onUpdate(frame: Inbound): Promise<void> {
    const u = commandOf(frame, 'groupUpdate');
    if (!u || !this.welcomed || !sameName(frame.source, this.moderator)) return;
    const member = readMember(u.participant);
    const aboutUs = member !== undefined && sameName(member.name, this.local);
    if (this.mls && !(u.op === GroupUpdateOp.REJOIN && aboutUs)) {
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
    await this.reply(frame, MsgType.GROUP_ACK, { case: 'groupAck', value: {} });
  }

  private async applyCommits(): Promise<void> {
    for (let next = this.commits.peek(); next; next = this.commits.peek()) {
      if (next.removesUs) this.removed = true;
      if (!this.removed && this.group) {
        try {
          await this.group.applyCommit(next.commit);
        } catch (err) {
          this.log.error(
            { err: describeError(err), commitId: this.commits.lastApplied + 1 },
            'MLS commit failed: rejoining',
          );
          this.commits.applied();
          await this.behind();
          return;
        }
      }
      this.commits.applied();
    }
  }

  private async applyRosterChange(op: GroupUpdateOp, member: Member, all: Member[]): Promise<void> {
    if (sameName(member.name, this.local)) {
      // Our own rejoin: the roster as the moderator sees it now.
      if (op === GroupUpdateOp.REJOIN)
        for (const m of all) if (!this.roster.has(baseName(m.name))) await this.addMember(m);
      return;
    }
    if (op === GroupUpdateOp.ADD) {
      this.lateJoiners.add(nameKey(member.name));
      await this.addMember({ ...member, online: true });
      this.emit({ type: 'joined', name: member.name });
    } else if (op === GroupUpdateOp.REMOVE) {
      if (this.dropMember(member.name)) this.emit({ type: 'left', name: member.name });
    } else {
      const m = this.roster.get(baseName(member.name));
      if (m && !m.online) {
        m.online = true;
        await this.addMember(m, false);
        this.emit({ type: 'online', name: m.name });
      }
    }
  }

  /**
   * We missed a commit (a heartbeat shows a later epoch, or a commit did not apply): ask the
   * moderator to take us back in with a fresh KeyPackage (REJOIN_REQUEST,
   * docs/sessions-mls.md#rejoin-and-participant-state). One at a time; a request that gets no
   * answer is tried again on the next sign that we are behind.
   */
  protected override async behind(): Promise<void> {
    if (!this.mls || this.rejoining !== undefined || this.removed || this.state !== 'open') return;
    const pending = await (await this.mlsClient()).prepareJoin();
    const frame = rejoinFrame(this.route(this.moderator), this.local, pending.keyPackage);
    const id = readFrame(frame)!.messageId;
    this.rejoining = { id, pending };
    const { done } = await this.request(frame, [nameKey(this.moderator)], 'rejoin');
    done.catch(() => this.run(() => (this.rejoining?.id === id ? (this.rejoining = undefined) : undefined)));
  }

  private async onRejoinReply(frame: Inbound): Promise<void> {
    const r = commandOf(frame, 'rejoinReply');
    const rejoin = this.rejoining;
    if (!r || !rejoin || rejoin.id !== frame.messageId || !sameName(frame.source, this.moderator)) return;
    this.rejoining = undefined;
    try {
      const group = await rejoin.pending.join(r.mlsContent);
      this.group?.close();
      this.group = group;
      this.commits.joined(r.commitId);
      this.log.info({ commitId: r.commitId, epoch: String(group.epoch) }, 'rejoined the MLS group');
    } catch (err) {
      this.log.warn({ err: describeError(err) }, 'rejoin welcome refused');
      return;
    }
    await this.reply(frame, MsgType.GROUP_ACK, { case: 'groupAck', value: {} });
  }

  private async joinFailed(why: string): Promise<void> {
    this.log.warn({ why }, 'join failed');
    await this.teardown({ reason: 'error', error: new GatewayError('MLS', why) });
  }

  protected override async releaseResources(): Promise<void> {
    this.cancelSetup?.();
    if (this.channels && this.welcomed) await unsubscribeChannels(this.deps, this.channels, this.log);
  }
}
