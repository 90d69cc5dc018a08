// One SLIM session (docs/sessions-mls.md): a serial event loop (frames, calls and timer ticks one
// at a time, as the reference's per-session task, so MLS state is never used concurrently), the
// outbound seal, inbound control checks (token, signature, replay with remembered replies), the
// data path's host, the public Session API, membership common to both sides, and teardown.
// Invariant: everything that touches session state runs on the loop; once `closed`, no frame is
// handled and every timer is stopped. What the control frames mean is the role's (role.ts): the
// moderator (moderator.ts) or a participant (participant.ts), held here and reached through
// SessionRole; the role reaches back only through RoleHost.
//
// Membership (docs/sessions-mls.md#heartbeats, #rejoin-and-participant-state): members go offline
// after no acknowledgements or three silent heartbeat periods (a p2p session then ends with an
// error, where the reference only marks the peer offline) and come back with a HEARTBEAT at our
// epoch or an UPDATE_PARTICIPANT_STATE; we send a HEARTBEAT each period unless other traffic made
// it unnecessary.
import type { Logger } from 'pino';
import type { IdentityProvider, IdentityVerifier } from '../auth/index.js';
import type { Link } from '../dataplane/link.js';
import { baseName, fromProtoName, nameKey } from '../dataplane/name.js';
import type { SlimName } from '../dataplane/name.js';
import type { MlsGroup } from '../mls/types.js';
import { ParticipantState } from '../proto/index.js';
import type { Message } from '../proto/index.js';
import { raceSignal } from '../../util/abort.js';
import { AsyncQueue } from '../../util/async-queue.js';
import { GatewayError, describeError } from '../../util/errors.js';
import { subscribeChannels, unsubscribeChannels } from './channels.js';
import type { SessionClock } from './clock.js';
import { DEFAULT_PUBLISH_TIMEOUT_MS, GOODBYE_TIMEOUT_MS, GROUP_FANOUT, NO_MLS_EPOCH } from './constants.js';
import { DataPath } from './data-path.js';
import type { DataHost } from './data-path.js';
import {
  MsgType,
  SessionType,
  commandFrame,
  commandOf,
  copyFrame,
  isCommandType,
  randomId,
  readFrame,
} from './frames.js';
import type { FrameRoute, Inbound, Member } from './frames.js';
import { checkBound, verifyFrameToken } from './peer-identity.js';
import type { IdentityNamer } from './peer-identity.js';
import { reader } from './reader.js';
import { ControlRequests, REPLY_TYPES } from './requests.js';
import type { GoodbyeRequest, RoleHost, SessionRole, SessionState } from './role.js';
import { Roster } from './roster.js';
import { openData, sealFrame, verifyControlFrame } from './secure.js';
import { SendWindow } from './send-window.js';
import { SerialLoop } from './serial-loop.js';
import { Liveness } from './state/liveness.js';
import { ReplayGuard, replayKey } from './state/replay.js';
import { earliest } from './state/retry.js';
import type { RetryPolicy } from './state/retry.js';
import type {
  ParticipantEvent,
  PublishOptions,
  Session,
  SessionCloseInfo,
  SessionKind,
  SessionMessage,
} from './types.js';

export interface SessionDeps {
  readonly link: Link;
  readonly identity: IdentityProvider & IdentityVerifier;
  readonly clock: SessionClock;
  readonly logger: Logger;
  readonly heartbeatIntervalMs: number;
  readonly local: SlimName;
  /** The identity allow lists see, from a verified token id (peer-identity.ts). */
  readonly namer: IdentityNamer;
  /** The session is gone: the app forgets it (and may keep its replay memory to answer resends). */
  gone(session: SlimSession): void;
}

export interface SessionParams {
  readonly id: number;
  readonly kind: SessionKind;
  readonly mls: boolean;
  readonly reliable: boolean;
  readonly policy: RetryPolicy;
  /** Unacknowledged data messages before publishes wait (reliable sessions only). */
  readonly sendWindow: number;
  readonly headerCheckPercent: number;
  readonly metadata: Record<string, string>;
  readonly isModerator: boolean;
}

export class SlimSession implements Session, DataHost {
  readonly id: number;
  readonly kind: SessionKind;
  readonly mls: boolean;
  readonly reliable: boolean;
  readonly isModerator: boolean;
  readonly local: SlimName;
  readonly metadata: Readonly<Record<string, string>>;
  readonly sessionType: SessionType;
  readonly replay = new ReplayGuard<Message>();
  /** Participant side: the verified identity of the app that invited this one. */
  peerIdentity: string | undefined;
  private readonly role: SessionRole;
  private readonly log: Logger;
  private group: MlsGroup | undefined;
  private readonly channels: { data: SlimName; control: SlimName } | undefined;
  private readonly roster: Roster;
  private readonly requests: ControlRequests;
  private readonly data: DataPath;
  private readonly liveness: Liveness;
  private state: SessionState = 'setup';
  private readonly loop: SerialLoop;
  private readonly window: SendWindow;
  private readonly delivered = new AsyncQueue<SessionMessage>(1024);
  private readonly listeners = new Set<(e: ParticipantEvent) => void>();
  /** Members that joined after this side did: their ids start at 1. */
  private readonly lateJoiners = new Set<string>();
  private closeInfo: ((info: SessionCloseInfo) => void) | undefined;
  /** Aborts sends still waiting for the link once a goodbye runs out of time, and at teardown. */
  private readonly sending = new AbortController();
  private readonly closedPromise: Promise<SessionCloseInfo>;

  constructor(
    private readonly deps: SessionDeps,
    private readonly params: SessionParams,
    setup: {
      channels?: { data: SlimName; control: SlimName };
      /** Builds the role, given what it may do with this session. */
      role: (host: RoleHost) => SessionRole;
    },
  ) {
    this.id = params.id;
    this.kind = params.kind;
    this.mls = params.mls;
    this.reliable = params.reliable;
    this.isModerator = params.isModerator;
    this.local = deps.local;
    this.metadata = Object.freeze({ ...params.metadata });
    this.sessionType = params.kind === 'p2p' ? SessionType.POINT_TO_POINT : SessionType.MULTICAST;
    this.log = deps.logger.child({
      sessionId: params.id,
      role: params.isModerator ? 'moderator' : 'participant',
    });
    this.channels = setup.channels;
    this.roster = new Roster(deps.local);
    this.requests = new ControlRequests(params.policy);
    this.data = new DataPath(this, params.reliable, params.policy);
    this.liveness = new Liveness(deps.heartbeatIntervalMs);
    this.closedPromise = new Promise((r) => (this.closeInfo = r));
    this.window = new SendWindow(
      params.reliable ? params.sendWindow : Infinity,
      () => this.data.occupancy(),
      DEFAULT_PUBLISH_TIMEOUT_MS,
    );
    this.loop = new SerialLoop(
      deps.clock,
      () => earliest(this.requests.nextDeadline(), this.data.nextDeadline(), this.liveness.nextDeadline()),
      () => this.tick(),
      (err, what) => this.log.warn({ err: describeError(err) }, `${what} failed`),
      () => this.window.pump(),
    );
    this.role = setup.role(this.host());
  }

  // ---- public API ----

  get destination(): SlimName {
    return this.role.destination();
  }

  publish(payload: Uint8Array, options?: PublishOptions): Promise<void> {
    return this.window.admit(
      () =>
        this.run(() => {
          this.assertOpen();
          return this.data.publish(payload, options);
        }),
      options?.signal,
    );
  }

  publishTo(target: SlimName, payload: Uint8Array, options?: PublishOptions): Promise<void> {
    return this.window.admit(
      () =>
        this.run(() => {
          this.assertOpen();
          return this.data.publishTo(target, payload, options);
        }),
      options?.signal,
    );
  }

  messages(): AsyncIterable<SessionMessage> {
    return reader(this.delivered);
  }

  participants(): SlimName[] {
    return this.roster.online();
  }

  onParticipant(listener: (event: ParticipantEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  invite(name: SlimName, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<SlimName> {
    return this.role.invite(name, options);
  }

  remove(name: SlimName): Promise<void> {
    return this.role.remove(name);
  }

  close(): Promise<void> {
    return this.role.close();
  }

  closed(): Promise<SessionCloseInfo> {
    return this.closedPromise;
  }

  /** Torn down (or being torn down): takes no more frames. */
  get finished(): boolean {
    return this.state === 'closed';
  }

  /** Ends the session at once with `error`, sending nothing (the link is gone). */
  fail(error: Error): Promise<void> {
    this.delivered.fail(error); // first: the loop may be waiting for room in a full queue
    return this.run(() => this.teardown({ reason: 'error', error }));
  }

  /** A frame for this session, from the app's dispatcher. */
  deliverFrame(frame: Inbound): void {
    this.run(() => this.onFrame(frame)).catch((err: unknown) =>
      this.log.debug({ err: describeError(err), type: MsgType[frame.type] }, 'frame handling failed'),
    );
  }

  // ---- DataHost ----

  now(): number {
    return this.deps.clock.now();
  }

  async transmit(frame: Message): Promise<void> {
    if (this.log.isLevelEnabled('trace')) {
      const f = readFrame(frame);
      this.log.trace({ out: f && MsgType[f.type], id: f?.messageId }, 'frame');
    }
    await sealFrame(frame, this.deps.identity, this.group);
    await this.deps.link.publish(frame, this.sending.signal);
  }

  /**
   * Verifies a data frame and returns its plaintext and the sender's identity. With MLS the sender
   * is the MLS member that encrypted it, which must be the frame's source whatever the header
   * check percentage says; without MLS the frame's token must verify and belong to its source.
   * Only a verified frame counts as a sign of life.
   */
  async open(frame: Inbound): Promise<{ plaintext: Uint8Array; identity: string } | undefined> {
    try {
      let opened: { plaintext: Uint8Array; sub: string };
      if (this.group) {
        const d = await openData(frame, this.group, this.params.headerCheckPercent);
        checkBound(d.sender, frame.source);
        opened = { plaintext: d.plaintext, sub: d.sender };
      } else if (this.mls) {
        return undefined; // no group yet: nothing can be decrypted
      } else {
        const claims = verifyFrameToken(frame, this.deps.identity);
        opened = { plaintext: frame.app?.blob ?? new Uint8Array(), sub: claims.sub };
      }
      this.liveness.heard(nameKey(frame.source));
      return { plaintext: opened.plaintext, identity: this.deps.namer(opened.sub) };
    } catch (err) {
      this.log.debug({ err: describeError(err), id: frame.messageId }, 'data frame dropped');
      return undefined;
    }
  }

  /**
   * An acknowledgement or a resend request: acted on only when its token verifies, belongs to its
   * source, and that source is an endpoint of this session. The reference signs neither, so the
   * token is all there is to check (docs/deviations.md).
   */
  acceptsFeedback(frame: Inbound): boolean {
    if (!this.tokenMatches(frame)) return false;
    const key = nameKey(frame.source);
    if (!this.data.hasEndpoint(key)) {
      this.log.debug({ type: MsgType[frame.type] }, 'data-path frame from a non-member refused');
      return false;
    }
    this.liveness.heard(key);
    return true;
  }

  tokenMatches(frame: Inbound): boolean {
    try {
      verifyFrameToken(frame, this.deps.identity);
      return true;
    } catch (err) {
      this.log.debug({ err: describeError(err), type: MsgType[frame.type] }, 'data-path frame refused');
      return false;
    }
  }

  async deliver(message: SessionMessage): Promise<void> {
    await this.delivered.push(message);
  }

  dataTarget(): { name: SlimName; fanout: number } {
    return this.role.dataTarget();
  }

  unresponsive(keys: string[]): void {
    for (const k of keys) this.memberOffline(k, 'data retransmissions exhausted');
  }

  expectedFirst(source: SlimName): number | undefined {
    return this.kind === 'p2p' || this.isModerator || this.lateJoiners.has(nameKey(source)) ? 1 : undefined;
  }

  debug(info: Record<string, unknown>, msg: string): void {
    this.log.debug(info, msg);
  }

  sentData(): void {
    this.liveness.sent();
  }

  lost(source: SlimName, count: number): void {
    this.log.warn({ source: baseName(source), count }, 'data messages lost');
    this.emit({ type: 'lost', name: source, count });
  }

  // ---- the role's view of this session ----

  private host(): RoleHost {
    return {
      id: this.id,
      kind: this.kind,
      mls: this.mls,
      local: this.local,
      metadata: this.metadata,
      reliable: this.reliable,
      policy: this.params.policy,
      headerCheckPercent: this.params.headerCheckPercent,
      log: this.log,
      clock: this.deps.clock,
      roster: this.roster,
      channels: this.channels,
      state: () => this.state,
      setState: (s) => {
        if (this.state !== 'closed') this.state = s;
      },
      group: () => this.group,
      replaceGroup: (g) => {
        this.group?.close();
        this.group = g;
      },
      run: (fn) => this.run(fn),
      now: () => this.now(),
      route: (d, f, m) => this.route(d, f, m),
      request: (f, e, w) => this.request(f, e, w),
      cancelRequest: (id, err) => this.requests.cancel(id, err),
      reply: (to, type, command) => this.reply(to, type, command),
      resend: (f) => this.transmitCopy(f),
      goodbye: (build) => this.goodbye(build),
      emit: (e) => this.emit(e),
      teardown: (info) => this.teardown(info),
      stopDelivery: () => this.delivered.end(),
      startLiveness: () => this.liveness.start(this.now()),
      addMember: (m, fresh) => this.addMember(m, fresh),
      dropMember: (n) => this.dropMember(n),
      memberOffline: (k, why) => this.memberOffline(k, why),
      lateJoiner: (n) => void this.lateJoiners.add(nameKey(n)),
      subscribeChannels: () => subscribeChannels(this.deps, this.channels!),
      unsubscribeChannels: () => unsubscribeChannels(this.deps, this.channels!, this.log),
    };
  }

  // ---- event loop ----

  /** Runs `fn` on the session's loop, after what is already queued. */
  private run<T>(fn: () => Promise<T> | T): Promise<T> {
    return this.loop.run(fn);
  }

  private async tick(): Promise<void> {
    if (this.state === 'closed') return;
    const now = this.now();
    for (const f of this.requests.tick(now)) await this.transmitCopy(f);
    await this.data.tick(now);
    const hb = this.liveness.tick(now);
    if (hb) await this.heartbeatTick(hb.offline, hb.sendHeartbeat);
  }

  private async onFrame(frame: Inbound): Promise<void> {
    if (this.state === 'closed') return;
    const key = nameKey(frame.source);
    this.log.trace({ in: MsgType[frame.type], id: frame.messageId }, 'frame');
    // Verified first, state changed after: liveness, acknowledgements and replay memory only ever
    // hear frames whose sender is proven (the data path verifies through open/acceptsFeedback).
    if (!isCommandType(frame.type)) return this.data.onFrame(frame);
    try {
      const claims = verifyControlFrame(frame, this.deps.identity);
      checkBound(claims.sub, frame.source);
    } catch (err) {
      this.log.debug({ err: describeError(err), type: MsgType[frame.type] }, 'control frame refused');
      if (REPLY_TYPES.has(frame.type)) this.requests.onUnverifiedReply(frame); // reported, never acted on
      return;
    }
    const seen = this.replay.check(key, frame.messageId, replayKey(frame));
    if (seen.kind === 'invalid' || seen.kind === 'copy') return;
    if (seen.kind === 'replay') {
      if (seen.reply) await this.transmitCopy(seen.reply);
      return;
    }
    this.liveness.heard(key);
    if (REPLY_TYPES.has(frame.type)) this.requests.onReply(frame);
    // Both sides treat these two alike; every other control frame is the role's.
    if (frame.type === MsgType.HEARTBEAT) return this.onHeartbeat(frame);
    if (frame.type === MsgType.UPDATE_PARTICIPANT_STATE) return this.onParticipantState(frame);
    await this.role.onControl(frame);
  }

  private async transmitCopy(frame: Message): Promise<void> {
    await this.transmit(copyFrame(frame));
  }

  private emit(event: ParticipantEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.log.warn({ err: describeError(err) }, 'participant listener threw');
      }
    }
  }

  /** Ends the session once: timers stop, waiters fail, subscriptions go, `closed()` resolves. */
  private async teardown(info: SessionCloseInfo): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.loop.stop();
    this.window.close(new GatewayError('CLOSED', 'session is closed')); // as assertOpen says
    this.requests.clear(info.error ?? new GatewayError('CLOSED', 'session closed'));
    this.data.clear();
    this.liveness.stop();
    this.sending.abort(new GatewayError('CLOSED', 'session is closed'));
    await this.role.release();
    this.group?.close();
    if (info.reason === 'error' && info.error) this.delivered.fail(info.error);
    else this.delivered.end();
    this.log.info({ reason: info.reason }, 'session closed');
    this.deps.gone(this);
    this.closeInfo?.(info);
  }

  // ---- control helpers (on the loop) ----

  private route(destination: SlimName, fanout = 1, metadata?: Record<string, string>): FrameRoute {
    return {
      source: this.local,
      destination,
      sessionType: this.sessionType,
      sessionId: this.id,
      fanout,
      metadata,
    };
  }

  private async request(
    frame: Message,
    expected: string[],
    what: string,
  ): Promise<{ done: Promise<Inbound[]> }> {
    const tracked = this.requests.track(frame, expected, what, this.now());
    await this.transmitCopy(frame);
    if (this.isToGroupName(frame)) this.liveness.sent();
    return tracked;
  }

  private async reply(
    to: Inbound,
    type: MsgType,
    command: Parameters<typeof commandFrame>[3],
  ): Promise<void> {
    const frame = commandFrame(this.route(to.source), type, to.messageId, command);
    this.replay.remember(nameKey(to.source), to.messageId, frame);
    await this.transmitCopy(frame);
  }

  private assertOpen(): void {
    if (this.state === 'closed' || this.state === 'closing')
      throw new GatewayError('CLOSED', 'session is closed');
  }

  private isToGroupName(frame: Message): boolean {
    const g = this.role.groupName();
    const f = readFrame(frame);
    return g !== undefined && f !== undefined && nameKey(f.destination) === nameKey(g);
  }

  /**
   * Says goodbye (GROUP_CLOSE, LEAVE_REQUEST) for at most GOODBYE_TIMEOUT_MS: `build` runs on the
   * loop and returns the request (or nothing to send), which is sent and tracked, and sent once
   * more half-way if still unanswered (one lost frame must not cost the goodbye: the regular
   * retransmission would come too late). Once the time is up, the wait ends and every send still
   * waiting for the link (reconnecting) is abandoned, so the loop is free for the teardown.
   */
  private async goodbye(build: () => Promise<GoodbyeRequest | undefined>): Promise<void> {
    const cancel = this.deps.clock.setTimer(
      () => this.sending.abort(new GatewayError('TIMEOUT', 'goodbye not acknowledged in time')),
      GOODBYE_TIMEOUT_MS,
    );
    let cancelResend: (() => void) | undefined;
    try {
      // Returned wrapped: the loop must not wait for the replies it has to deliver.
      const wait = await raceSignal(
        this.run(async () => {
          const r = await build();
          if (!r) return undefined;
          const { done } = await this.request(r.frame, r.expected, r.what);
          let answered = false;
          const settle = () => void (answered = true);
          done.then(settle, settle);
          cancelResend = this.deps.clock.setTimer(() => {
            if (!answered) this.run(() => this.transmitCopy(r.frame)).catch(() => undefined);
          }, GOODBYE_TIMEOUT_MS / 2);
          return { done };
        }),
        this.sending.signal,
      );
      await raceSignal<unknown>(wait?.done ?? Promise.resolve(), this.sending.signal);
    } finally {
      cancel();
      cancelResend?.();
    }
  }

  // ---- membership ----

  private async addMember(member: Member, fresh = true): Promise<void> {
    this.roster.join(member);
    if (this.roster.isLocal(member.name) || !member.online) return;
    this.liveness.track(nameKey(member.name));
    await this.data.addEndpoint(member, fresh);
  }

  private dropMember(name: SlimName): Member | undefined {
    const m = this.roster.leave(name);
    if (!m) return undefined;
    const key = nameKey(m.name);
    this.liveness.untrack(key);
    this.data.removeEndpoint(key);
    this.data.forgetSource(key);
    this.requests.forget(key);
    return m;
  }

  /** HEARTBEAT from a member: brings an offline member with our epoch back online. */
  private async onHeartbeat(frame: Inbound): Promise<void> {
    const m = this.roster.exact(frame.source);
    if (!m) return;
    const epoch = commandOf(frame, 'heartbeat')?.epoch ?? NO_MLS_EPOCH;
    const ours = this.group?.epoch;
    if (!this.isModerator && ours !== undefined && epoch !== NO_MLS_EPOCH && epoch > ours) {
      this.log.info(
        { epoch: String(epoch), ours: String(ours) },
        'a member is at a later MLS epoch: rejoining',
      );
      await this.role.onBehind();
      return;
    }
    if (m.online || (ours !== undefined && epoch !== ours)) return;
    this.roster.markOnline(m);
    this.liveness.force();
    await this.addMember(m, false);
    this.emit({ type: 'online', name: m.name });
  }

  /** UPDATE_PARTICIPANT_STATE (a member's soft close or rejoin). */
  private async onParticipantState(frame: Inbound): Promise<void> {
    const p = commandOf(frame, 'updateParticipantState');
    let name: SlimName;
    try {
      name = fromProtoName(p?.participant);
    } catch {
      return;
    }
    const m = this.roster.get(name);
    if (!p || !m || this.roster.isLocal(name)) return;
    if (p.newState === ParticipantState.OFFLINE) {
      if (!this.roster.markOffline(m)) return;
      this.liveness.untrack(nameKey(m.name));
      this.data.removeEndpoint(nameKey(m.name));
      this.emit({ type: 'offline', name: m.name });
    } else {
      if (this.group && p.epoch !== this.group.epoch) {
        await this.reply(frame, MsgType.GROUP_NACK, { case: 'groupNack', value: {} });
        return;
      }
      if (this.roster.markOnline(m)) {
        await this.addMember(m, false);
        this.emit({ type: 'online', name: m.name });
      }
    }
    await this.reply(frame, MsgType.GROUP_ACK, { case: 'groupAck', value: {} });
  }

  /** A member stopped answering: offline locally; a p2p session ends with an error. */
  private memberOffline(key: string, why: string): void {
    const m = this.roster.byKey(key);
    if (!m || !this.roster.markOffline(m)) return;
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

  /** The heartbeat period passed: `offline` members went silent; `send` a HEARTBEAT or not. */
  private async heartbeatTick(offline: string[], send: boolean): Promise<void> {
    for (const key of offline) this.memberOffline(key, 'missed heartbeats');
    const to = this.role.groupName();
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
