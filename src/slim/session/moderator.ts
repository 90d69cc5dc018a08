// The initiator of a session is its moderator (spec/slim-session-mls.md §2.1, §3.2-§3.4,
// crates/session/src/session_moderator.rs). Invites run DISCOVERY -> JOIN -> (MLS add) ->
// GROUP_UPDATE(ADD) to the others and GROUP_WELCOME to the newcomer in the same batch -> ACKs;
// removes run MLS remove -> GROUP_UPDATE(REMOVE) -> LEAVE_REQUEST; a member leaving gets its
// LEAVE_REPLY at once and is then removed the same way; close sends GROUP_CLOSE. Membership
// changes are tasks run one at a time (task-queue.ts). A p2p session is a group of two whose
// invite happens inside createSession.
import { baseName, nameKey, sameName, toProtoName } from '../dataplane/name.js';
import type { SlimName } from '../dataplane/name.js';
import type { MlsClient } from '../mls/types.js';
import { GroupUpdateOp } from '../proto/index.js';
import type { Message } from '../proto/index.js';
import { combineSignals, raceSignal } from '../../util/abort.js';
import { GatewayError } from '../../util/errors.js';
import { GROUP_FANOUT, META_LEAVING_SESSION, TRUE_VAL } from './constants.js';
import { NoReplyError } from './errors.js';
import { MsgType, commandFrame, commandOf, memberInit, readFrame, readMember } from './frames.js';
import type { Inbound, Member } from './frames.js';
import { subscribeChannels, unsubscribeChannels } from './channels.js';
import { SessionBase, randomId } from './session-base.js';
import type { SessionDeps, SessionParams } from './session-base.js';
import { TaskQueue } from './task-queue.js';

type Task = { start: () => Promise<void>; cancel: (err: Error) => void };

export class ModeratorSession extends SessionBase {
  private readonly tasks = new TaskQueue<Task>();
  private commitId = 0;
  private readonly identities = new Map<string, string>();
  private started = false;
  private closing: Promise<void> | undefined;

  constructor(
    deps: SessionDeps,
    params: SessionParams,
    /** p2p: the peer as given (usually the NULL id); group: the channel name. */
    private readonly target: SlimName,
    private readonly mlsClient: () => Promise<MlsClient>,
    channels?: { data: SlimName; control: SlimName },
  ) {
    super(deps, params);
    this.channels = channels;
  }

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
    this.closing ??= this.closeFlow();
    return this.closing;
  }

  /** Setup failed: ends the session at once, telling nobody (no member ever completed a join). */
  async abandon(err: unknown): Promise<void> {
    const error = err instanceof Error ? err : new Error(String(err));
    await this.run(() => this.teardown({ reason: 'error', error }));
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
      if (this.state === 'closed' || this.state === 'closing') {
        reject(new GatewayError('CLOSED', 'session is closed'));
        return;
      }
      void this.tasks.push(task)?.start();
    });
  }

  private async inviteFlow(name: SlimName, signal?: AbortSignal, timeoutMs?: number): Promise<SlimName> {
    const deadline = combineSignals([signal], timeoutMs ?? this.setupBudget());
    try {
      const disc = commandFrame(this.route(name), MsgType.DISCOVERY_REQUEST, randomId(), {
        case: 'discoveryRequest',
        value: {},
      });
      const [found] = await this.exchange(disc, [baseName(name)], 'discovery', deadline.signal);
      const peer = found!.source;
      await this.run(async () => {
        if (this.roster.has(baseName(peer)))
          throw new GatewayError('ALREADY_EXISTS', `${baseName(peer)} is already a member`);
        await this.start(peer);
      });
      const join = commandFrame(this.route(peer, 1, { ...this.metadata }), MsgType.JOIN_REQUEST, randomId(), {
        case: 'joinRequest',
        value: this.joinPayload(),
      });
      const [joined] = await this.exchange(join, [nameKey(peer)], 'join', deadline.signal);
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
        const frame = commandFrame(
          this.route(this.channels!.control, GROUP_FANOUT),
          MsgType.GROUP_UPDATE,
          randomId(),
          {
            case: 'groupUpdate',
            value: { op: GroupUpdateOp.REMOVE, participant: memberInit(m), participants: before, mls },
          },
        );
        update = (await this.request(frame, this.othersKeys(), 'group update')).done;
      }
      return { member: m, update };
    });
    if (plan.update) await plan.update.catch((err: unknown) => this.run(() => this.partialFailure(err)));
    if (sendLeave) {
      const leave = commandFrame(this.route(plan.member.name), MsgType.LEAVE_REQUEST, randomId(), {
        case: 'leaveRequest',
        value: {},
      });
      // A member that does not answer is gone anyway: it has been removed from the group.
      await this.exchange(leave, [nameKey(plan.member.name)], 'leave').catch(() => undefined);
    }
    this.emit({ type: 'left', name: plan.member.name });
  }

  private async closeFlow(): Promise<void> {
    const wait = await this.run(async () => {
      if (this.state === 'closed') return undefined;
      this.state = 'closing';
      this.cancelTasks();
      const others = [...this.roster.values()].filter((m) => m.online && !sameName(m.name, this.local));
      if (!this.started || others.length === 0) return undefined;
      // Returned wrapped: the loop must not wait for the replies it has to deliver.
      const to = this.kind === 'group' ? this.channels!.control : this.peer!;
      const frame = commandFrame(
        this.route(to, this.kind === 'group' ? GROUP_FANOUT : 1),
        MsgType.GROUP_CLOSE,
        randomId(),
        {
          case: 'groupClose',
          value: { participants: [...this.roster.values()].map((m) => toProtoName(m.name)) },
        },
      );
      return this.request(
        frame,
        others.map((m) => nameKey(m.name)),
        'close',
      );
    });
    await wait?.done.catch(() => undefined); // members that never answer do not keep us open
    await this.run(() => this.teardown({ reason: 'local' }));
  }

  // ---- steps on the loop ----

  /** The reference's `join`: first peer found (p2p) or creation (group). */
  private async start(peer: SlimName | undefined): Promise<void> {
    if (this.started) return;
    if (this.kind === 'p2p') this.peer = peer;
    else await subscribeChannels(this.deps, this.channels!);
    if (this.mls) this.group = await (await this.mlsClient()).createGroup();
    this.started = true;
    this.roster.set(baseName(this.local), {
      name: this.local,
      sendsData: true,
      receivesData: true,
      online: true,
    });
    this.liveness.start(this.now());
  }

  private joinPayload() {
    const p = this.params;
    return {
      // The reference's group participants refuse a JOIN_REQUEST without timer settings.
      timerSettings:
        p.reliable || this.kind === 'group'
          ? { timeout: p.policy.intervalMs, maxRetries: p.policy.maxRetries }
          : undefined,
      channel: this.kind === 'group' ? toProtoName(this.channels!.data) : undefined,
      control: this.kind === 'group' ? toProtoName(this.channels!.control) : undefined,
      mlsSettings: this.mls ? { headerIntegrityValidationPercent: p.headerCheckPercent } : undefined,
    };
  }

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
      const frame = commandFrame(
        this.route(this.channels!.control, GROUP_FANOUT),
        MsgType.GROUP_UPDATE,
        randomId(),
        {
          case: 'groupUpdate',
          value: {
            op: GroupUpdateOp.ADD,
            participant: memberInit(member),
            participants,
            mls: commit ? { commitId: cid, mlsContent: commit } : undefined,
          },
        },
      );
      const expected = this.othersKeys().filter((k) => k !== nameKey(member.name));
      update = (await this.request(frame, expected, 'group update')).done;
    }
    const frame = commandFrame(this.route(member.name), MsgType.GROUP_WELCOME, randomId(), {
      case: 'groupWelcome',
      value: { participants, mls: welcome ? { commitId: cid, mlsContent: welcome } : undefined },
    });
    const done = (await this.request(frame, [nameKey(member.name)], 'welcome')).done;
    return { welcome: done, update };
  }

  /** Members that did not acknowledge an update are marked offline (the reference's partial success). */
  private partialFailure(err: unknown): void {
    if (err instanceof NoReplyError) for (const k of err.missing) this.memberOffline(k, 'no acknowledgement');
  }

  /** An invitee that never acknowledged its welcome is taken out again (MLS included). */
  private enqueueLocalRemoval(peer: SlimName): Promise<void> {
    if (this.kind === 'p2p' || this.state !== 'open') return Promise.resolve();
    void this.enqueue(() => this.removeFlow(peer, false)).catch(() => undefined);
    return Promise.resolve();
  }

  private othersKeys(): string[] {
    return [...this.roster.values()]
      .filter((m) => m.online && !sameName(m.name, this.local))
      .map((m) => nameKey(m.name));
  }

  private setupBudget(): number {
    const p = this.params.policy;
    return (p.maxRetries + 1) * p.intervalMs * 4;
  }

  /** request() from outside the loop: waits for the replies, honouring a deadline. */
  private async exchange(frame: Message, expected: string[], what: string, signal?: AbortSignal) {
    const { done } = await this.run(() => this.request(frame, expected, what));
    try {
      return await raceSignal(done, signal);
    } catch (err) {
      const id = readFrame(frame)!.messageId;
      await this.run(() => this.cancelRequest(id, err instanceof Error ? err : new Error(String(err))));
      throw err;
    }
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
      default:
        return; // replies are matched by the base; anything else is not for a moderator
    }
  }

  private async onMemberLeaving(frame: Inbound): Promise<void> {
    await this.reply(frame, MsgType.LEAVE_REPLY, { case: 'leaveReply', value: {} });
    const m = this.roster.get(baseName(frame.source));
    if (!m || !sameName(m.name, frame.source)) return;
    if (this.kind === 'p2p' || this.roster.size <= 2) {
      this.dropMember(m.name);
      this.emit({ type: 'left', name: m.name });
      await this.teardown({ reason: 'remote' });
      return;
    }
    void this.enqueue(() => this.removeFlow(m.name, false)).catch(() => undefined);
  }

  private cancelTasks(): void {
    const err = new GatewayError('CLOSED', 'session closed');
    for (const t of this.tasks.close()) t.cancel(err);
  }

  protected override async releaseResources(): Promise<void> {
    this.cancelTasks();
    if (this.kind === 'group' && this.started) await unsubscribeChannels(this.deps, this.channels!, this.log);
  }
}
