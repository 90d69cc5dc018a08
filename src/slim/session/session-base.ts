// What moderator and participant sessions share: a serial event loop (frames, calls and timer
// ticks are handled one at a time, as the reference's per-session task does, so MLS state is
// never used concurrently), the outbound seal, inbound control checks (token, signature, replay
// with remembered replies), control requests with retries, the roster, heartbeats, the data path
// and teardown (spec/slim-session-mls.md §1). Role files add the protocol steps.
import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import type { IdentityProvider, IdentityVerifier } from '../auth/index.js';
import type { Link } from '../dataplane/link.js';
import { baseName, fromProtoName, nameKey, sameName } from '../dataplane/name.js';
import type { SlimName } from '../dataplane/name.js';
import type { MlsGroup } from '../mls/types.js';
import { ParticipantState } from '../proto/index.js';
import type { Message } from '../proto/index.js';
import { AsyncQueue } from '../../util/async-queue.js';
import { reader } from './reader.js';
import { GatewayError, describeError } from '../../util/errors.js';
import type { SessionClock } from './clock.js';
import { NO_MLS_EPOCH } from './constants.js';
import { ControlTracker } from './control-tracker.js';
import { DataPath } from './data-path.js';
import type { DataHost } from './data-path.js';
import { NoReplyError } from './errors.js';
import {
  MsgType,
  SessionType,
  commandFrame,
  commandOf,
  copyFrame,
  isCommandType,
  readFrame,
} from './frames.js';
import type { FrameRoute, Inbound, Member } from './frames.js';
import { Liveness } from './liveness.js';
import { ReplayGuard } from './replay.js';
import type { RetryPolicy } from './retry.js';
import { earliest } from './retry.js';
import { openData, sealFrame, verifyControlFrame } from './secure.js';
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
  /** The session is gone: the app forgets it (and may keep its replay memory to answer resends). */
  gone(session: SessionBase): void;
}

export interface SessionParams {
  readonly id: number;
  readonly kind: SessionKind;
  readonly mls: boolean;
  readonly reliable: boolean;
  readonly policy: RetryPolicy;
  readonly headerCheckPercent: number;
  readonly metadata: Record<string, string>;
  readonly isModerator: boolean;
}

type Waiter = {
  resolve: (r: Inbound[]) => void;
  reject: (e: Error) => void;
  replies: Inbound[];
  what: string;
};
const REPLY_TYPES = new Set([
  MsgType.DISCOVERY_REPLY,
  MsgType.JOIN_REPLY,
  MsgType.GROUP_ACK,
  MsgType.GROUP_NACK,
  MsgType.LEAVE_REPLY,
  MsgType.REJOIN_REPLY,
]);

export abstract class SessionBase implements Session, DataHost {
  readonly id: number;
  readonly kind: SessionKind;
  readonly mls: boolean;
  readonly reliable: boolean;
  readonly isModerator: boolean;
  readonly local: SlimName;
  readonly metadata: Readonly<Record<string, string>>;
  readonly sessionType: SessionType;
  readonly replay = new ReplayGuard<Message>();
  protected readonly log: Logger;
  protected group: MlsGroup | undefined;
  protected peer: SlimName | undefined;
  protected channels: { data: SlimName; control: SlimName } | undefined;
  protected readonly roster = new Map<string, Member>();
  protected readonly control: ControlTracker<Message>;
  protected readonly data: DataPath;
  protected readonly liveness: Liveness;
  protected state: 'setup' | 'open' | 'closing' | 'closed' = 'setup';
  private readonly waiters = new Map<number, Waiter>();
  private readonly inbox: (() => Promise<void>)[] = [];
  private pumping = false;
  private timer: { at: number; cancel: () => void } | undefined;
  private readonly delivered = new AsyncQueue<SessionMessage>(1024);
  private readonly listeners = new Set<(e: ParticipantEvent) => void>();
  private closeInfo: ((info: SessionCloseInfo) => void) | undefined;
  private readonly closedPromise: Promise<SessionCloseInfo>;

  constructor(
    protected readonly deps: SessionDeps,
    protected readonly params: SessionParams,
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
    this.control = new ControlTracker(params.policy);
    this.data = new DataPath(this, params.reliable, params.policy);
    this.liveness = new Liveness(deps.heartbeatIntervalMs);
    this.closedPromise = new Promise((r) => (this.closeInfo = r));
  }

  abstract get destination(): SlimName;
  abstract close(): Promise<void>;
  abstract invite(name: SlimName, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<SlimName>;
  abstract remove(name: SlimName): Promise<void>;
  protected abstract onControl(frame: Inbound): Promise<void>;
  /** Heartbeats and group-wide control go here: the peer (p2p) or the control channel (group). */
  protected abstract groupName(): SlimName | undefined;

  // ---- public API ----

  publish(payload: Uint8Array, options?: PublishOptions): Promise<void> {
    return this.run(() => {
      this.assertOpen();
      return this.data.publish(payload, options);
    });
  }

  publishTo(target: SlimName, payload: Uint8Array, options?: PublishOptions): Promise<void> {
    return this.run(() => {
      this.assertOpen();
      return this.data.publishTo(target, payload, options);
    });
  }

  messages(): AsyncIterable<SessionMessage> {
    return reader(this.delivered);
  }

  participants(): SlimName[] {
    return [...this.roster.values()].filter((m) => m.online).map((m) => m.name);
  }

  onParticipant(listener: (event: ParticipantEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  closed(): Promise<SessionCloseInfo> {
    return this.closedPromise;
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
    await sealFrame(frame, this.deps.identity, this.group);
    await this.deps.link.publish(frame);
  }

  async open(frame: Inbound): Promise<Uint8Array | undefined> {
    if (!this.group) return this.mls ? undefined : (frame.app?.blob ?? new Uint8Array());
    try {
      return await openData(frame, this.group, this.params.headerCheckPercent);
    } catch (err) {
      this.log.debug({ err: describeError(err), id: frame.messageId }, 'data frame dropped');
      return undefined;
    }
  }

  async deliver(message: SessionMessage): Promise<void> {
    await this.delivered.push(message);
  }

  /** Where a publish goes: the peer (p2p) or the data channel (group). */
  abstract dataTarget(): { name: SlimName; fanout: number };

  unresponsive(keys: string[]): void {
    for (const k of keys) this.memberOffline(k, 'data retransmissions exhausted');
  }

  expectedFirst(source: SlimName): number | undefined {
    return this.kind === 'p2p' || this.isModerator || this.lateJoiners.has(nameKey(source)) ? 1 : undefined;
  }

  sentData(): void {
    this.liveness.sent();
  }

  lost(source: SlimName, count: number): void {
    this.log.warn({ source: baseName(source), count }, 'data messages lost');
  }

  /** Members that joined after this side did: their ids start at 1. */
  protected readonly lateJoiners = new Set<string>();

  // ---- event loop ----

  /** Runs `fn` on the session's loop, after what is already queued. */
  protected run<T>(fn: () => Promise<T> | T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.inbox.push(async () => {
        try {
          resolve(await fn());
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
      this.pump();
    });
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    void (async () => {
      while (this.inbox.length > 0) {
        await this.inbox.shift()!();
        this.reschedule();
      }
      this.pumping = false;
    })();
  }

  private reschedule(): void {
    if (this.state === 'closed') return;
    const at = earliest(this.control.nextDeadline(), this.data.nextDeadline(), this.liveness.nextDeadline());
    if (this.timer && this.timer.at === at) return;
    this.timer?.cancel();
    this.timer = undefined;
    if (at === undefined) return;
    const cancel = this.deps.clock.setTimer(() => {
      this.timer = undefined;
      this.run(() => this.tick()).catch((err: unknown) =>
        this.log.warn({ err: describeError(err) }, 'tick failed'),
      );
    }, at - this.now());
    this.timer = { at, cancel };
  }

  private async tick(): Promise<void> {
    if (this.state === 'closed') return;
    const now = this.now();
    const c = this.control.tick(now);
    for (const f of c.resend) await this.transmitCopy(f);
    for (const f of c.failed) {
      const w = this.waiters.get(f.id);
      this.waiters.delete(f.id);
      w?.reject(new NoReplyError(w.what, f.missing));
    }
    await this.data.tick(now);
    const hb = this.liveness.tick(now);
    if (hb) await this.heartbeatTick(hb.offline, hb.sendHeartbeat);
  }

  private async heartbeatTick(offline: string[], send: boolean): Promise<void> {
    for (const key of offline) this.memberOffline(key, 'missed heartbeats');
    const to = this.groupName();
    if (!send || !to || this.state !== 'open') return;
    const epoch = this.group ? this.group.epoch : NO_MLS_EPOCH;
    const fanout = this.kind === 'group' ? 256 : 1;
    const frame = commandFrame(this.route(to, fanout), MsgType.HEARTBEAT, randomId(), {
      case: 'heartbeat',
      value: { epoch },
    });
    await this.transmit(frame);
  }

  private async onFrame(frame: Inbound): Promise<void> {
    if (this.state === 'closed') return;
    const key = nameKey(frame.source);
    if (!isCommandType(frame.type)) {
      this.liveness.heard(key);
      return this.data.onFrame(frame);
    }
    try {
      verifyControlFrame(frame, this.deps.identity);
    } catch (err) {
      this.log.debug({ err: describeError(err), type: MsgType[frame.type] }, 'control frame refused');
      return;
    }
    const seen = this.replay.check(key, frame.messageId, frame.identity);
    if (seen.kind === 'invalid' || seen.kind === 'copy') return;
    if (seen.kind === 'replay') {
      if (seen.reply) await this.transmitCopy(seen.reply);
      return;
    }
    this.liveness.heard(key);
    if (REPLY_TYPES.has(frame.type)) this.onReply(frame);
    await this.onControl(frame);
  }

  private onReply(frame: Inbound): void {
    const key = frame.type === MsgType.DISCOVERY_REPLY ? baseName(frame.source) : nameKey(frame.source);
    const w = this.waiters.get(frame.messageId);
    if (!w) return;
    const outcome = this.control.reply(frame.messageId, key);
    if (outcome === 'unknown') return;
    w.replies.push(frame);
    if (outcome === 'complete') {
      this.waiters.delete(frame.messageId);
      w.resolve(w.replies);
    }
  }

  // ---- helpers for roles (call on the loop) ----

  protected route(destination: SlimName, fanout = 1, metadata?: Record<string, string>): FrameRoute {
    return {
      source: this.local,
      destination,
      sessionType: this.sessionType,
      sessionId: this.id,
      fanout,
      metadata,
    };
  }

  /**
   * Sends a control request and tracks it; the returned promise (wrapped, so the loop never waits
   * on it) settles with the replies, or NoReplyError when the retries run out.
   */
  protected async request(
    frame: Message,
    expected: string[],
    what: string,
  ): Promise<{ done: Promise<Inbound[]> }> {
    const id = readFrame(frame)!.messageId;
    const done = new Promise<Inbound[]>((resolve, reject) => {
      this.waiters.set(id, { resolve, reject, replies: [], what });
    });
    done.catch(() => undefined); // observed by the caller; never unhandled
    if (expected.length === 0) {
      this.waiters.get(id)!.resolve([]);
      this.waiters.delete(id);
    } else this.control.track(id, frame, expected, this.now());
    await this.transmitCopy(frame);
    if (this.isToGroupName(frame)) this.liveness.sent();
    return { done };
  }

  /** Stops waiting for a request (deadline passed); its promise rejects with `err`. */
  protected cancelRequest(id: number, err: Error): void {
    this.control.stop(id);
    const w = this.waiters.get(id);
    this.waiters.delete(id);
    w?.reject(err);
  }

  /** Answers `to` with the same message id, and remembers the answer for resends. */
  protected async reply(
    to: Inbound,
    type: MsgType,
    command: Parameters<typeof commandFrame>[3],
  ): Promise<void> {
    const frame = commandFrame(this.route(to.source), type, to.messageId, command);
    this.replay.remember(nameKey(to.source), to.messageId, frame);
    await this.transmitCopy(frame);
  }

  protected async transmitCopy(frame: Message): Promise<void> {
    await this.transmit(copyFrame(frame));
  }

  protected emit(event: ParticipantEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.log.warn({ err: describeError(err) }, 'participant listener threw');
      }
    }
  }

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
      this.log.warn({ epoch: String(epoch), ours: String(ours) }, 'a member is at a later MLS epoch than us');
      return;
    }
    if (m.online || (ours !== undefined && epoch !== ours)) return;
    m.online = true;
    this.liveness.force();
    await this.addMember(m, false);
    this.emit({ type: 'online', name: m.name });
  }

  /** UPDATE_PARTICIPANT_STATE (a member's soft close or rejoin, §3.5). */
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
    for (const id of this.control.forget(key)) {
      const w = this.waiters.get(id);
      this.waiters.delete(id);
      w?.resolve(w.replies);
    }
    return m;
  }

  /** A member stopped answering: offline locally; a p2p session ends with an error. */
  protected memberOffline(key: string, why: string): void {
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

  protected memberByKey(key: string): Member | undefined {
    return [...this.roster.values()].find((x) => nameKey(x.name) === key);
  }

  protected assertOpen(): void {
    if (this.state === 'closed' || this.state === 'closing')
      throw new GatewayError('CLOSED', 'session is closed');
  }

  private isToGroupName(frame: Message): boolean {
    const g = this.groupName();
    const f = readFrame(frame);
    return g !== undefined && f !== undefined && nameKey(f.destination) === nameKey(g);
  }

  /** Ends the session once: timers stop, waiters fail, subscriptions go, `closed()` resolves. */
  protected async teardown(info: SessionCloseInfo): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.timer?.cancel();
    this.timer = undefined;
    this.control.clear();
    this.data.clear();
    this.liveness.stop();
    const closedErr = new GatewayError('CLOSED', 'session closed');
    for (const w of this.waiters.values()) w.reject(info.error ?? closedErr);
    this.waiters.clear();
    await this.releaseResources();
    this.group?.close();
    if (info.reason === 'error' && info.error) this.delivered.fail(info.error);
    else this.delivered.end();
    this.log.info({ reason: info.reason }, 'session closed');
    this.deps.gone(this);
    this.closeInfo?.(info);
  }

  /** Role hook: unsubscribe channels and the like (errors are logged, never thrown). */
  protected async releaseResources(): Promise<void> {}
}

/** A control message id: random, never 0 (the replay check refuses 0). */
export function randomId(): number {
  return randomInt(1, 0xffff_ffff);
}
