// Membership shared by moderator and participant sessions (docs/sessions-mls.md#heartbeats,
// #rejoin-and-participant-state): the roster, members joining and leaving, members going offline
// (no acknowledgements or three silent heartbeat periods; a p2p session then ends with an error,
// where the reference only marks the peer offline) and coming back (a HEARTBEAT at our epoch, or
// UPDATE_PARTICIPANT_STATE), and the HEARTBEAT we send each period unless other traffic made it
// unnecessary.
import { baseName, fromProtoName, nameKey, sameName } from '../dataplane/name.js';
import type { SlimName } from '../dataplane/name.js';
import { ParticipantState } from '../proto/index.js';
import { GatewayError } from '../../util/errors.js';
import { GROUP_FANOUT, NO_MLS_EPOCH } from './constants.js';
import { MsgType, commandFrame, commandOf } from './frames.js';
import type { Inbound, Member } from './frames.js';
import { SessionBase, randomId } from './session-base.js';

export abstract class MemberSession extends SessionBase {
  /**
   * Adds a member (roster, liveness, data endpoint). `fresh`: it just joined, so its data
   * sequence starts anew; otherwise (back online) its sequence continues.
   */
  protected async addMember(member: Member, fresh = true): Promise<void> {
    this.roster.set(baseName(member.name), member);
    if (sameName(member.name, this.local) || !member.online) return;
    this.liveness.track(nameKey(member.name));
    await this.data.addEndpoint(member, fresh);
  }

  /** HEARTBEAT from a member: brings an offline member with our epoch back online. */
  protected async onHeartbeat(frame: Inbound): Promise<void> {
    const m = this.roster.get(baseName(frame.source));
    if (!m || !sameName(m.name, frame.source)) return;
    const epoch = commandOf(frame, 'heartbeat')?.epoch ?? NO_MLS_EPOCH;
    const ours = this.group?.epoch;
    if (!this.isModerator && ours !== undefined && epoch !== NO_MLS_EPOCH && epoch > ours) {
      this.log.info(
        { epoch: String(epoch), ours: String(ours) },
        'a member is at a later MLS epoch: rejoining',
      );
      await this.behind();
      return;
    }
    if (m.online || (ours !== undefined && epoch !== ours)) return;
    m.online = true;
    this.liveness.force();
    await this.addMember(m, false);
    this.emit({ type: 'online', name: m.name });
  }

  /** This member missed a commit (participants rejoin: docs/sessions-mls.md#rejoin-and-participant-state). */
  protected async behind(): Promise<void> {}

  /** UPDATE_PARTICIPANT_STATE (a member's soft close or rejoin). */
  protected async onParticipantState(frame: Inbound): Promise<void> {
    const p = commandOf(frame, 'updateParticipantState');
    let name: SlimName;
    try {
      name = fromProtoName(p?.participant);
    } catch {
      return;
    }
    const m = this.roster.get(baseName(name));
    if (!p || !m || sameName(name, this.local)) return;
    if (p.newState === ParticipantState.OFFLINE) {
      if (!m.online) return;
      m.online = false;
      this.liveness.untrack(nameKey(m.name));
      this.data.removeEndpoint(nameKey(m.name));
      this.emit({ type: 'offline', name: m.name });
    } else {
      if (this.group && p.epoch !== this.group.epoch) {
        await this.reply(frame, MsgType.GROUP_NACK, { case: 'groupNack', value: {} });
        return;
      }
      if (!m.online) {
        m.online = true;
        await this.addMember(m, false);
        this.emit({ type: 'online', name: m.name });
      }
    }
    await this.reply(frame, MsgType.GROUP_ACK, { case: 'groupAck', value: {} });
  }

  protected dropMember(name: SlimName): Member | undefined {
    const m = this.roster.get(baseName(name));
    if (!m) return undefined;
    this.roster.delete(baseName(name));
    const key = nameKey(m.name);
    this.liveness.untrack(key);
    this.data.removeEndpoint(key);
    this.data.forgetSource(key);
    this.requests.forget(key);
    return m;
  }

  /** A member stopped answering: offline locally; a p2p session ends with an error. */
  protected override memberOffline(key: string, why: string): void {
    const m = [...this.roster.values()].find((x) => nameKey(x.name) === key);
    if (!m || !m.online) return;
    m.online = false;
    this.liveness.untrack(key);
    this.data.removeEndpoint(key);
    this.log.info({ member: baseName(m.name), why }, 'member offline');
    this.emit({ type: 'offline', name: m.name });
    if (this.kind === 'p2p') {
      void this.teardown({
        reason: 'error',
        error: new GatewayError('UNAVAILABLE', `the peer went away (${why})`),
      });
    }
  }

  protected override async heartbeatTick(offline: string[], send: boolean): Promise<void> {
    for (const key of offline) this.memberOffline(key, 'missed heartbeats');
    const to = this.groupName();
    if (!send || !to || this.state !== 'open') return;
    const epoch = this.group ? this.group.epoch : NO_MLS_EPOCH;
    const fanout = this.kind === 'group' ? GROUP_FANOUT : 1;
    const frame = commandFrame(this.route(to, fanout), MsgType.HEARTBEAT, randomId(), {
      case: 'heartbeat',
      value: { epoch },
    });
    await this.transmit(frame);
  }
}
