// The core every session has (spec/slim-session-mls.md §1): a serial event loop (frames, calls
// and timer ticks one at a time, as the reference's per-session task, so MLS state is never used
// concurrently), the outbound seal, inbound control checks (token, signature, replay with
// remembered replies), control requests with retries, the data path, and teardown. Membership
// (membership.ts) and the roles (moderator.ts, participant.ts) build on it.
import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import type { IdentityProvider, IdentityVerifier } from '../auth/index.js';
import type { Link } from '../dataplane/link.js';
import { baseName, nameKey } from '../dataplane/name.js';
import type { SlimName } from '../dataplane/name.js';
import type { MlsGroup } from '../mls/types.js';
import type { Message } from '../proto/index.js';
import { raceSignal } from '../../util/abort.js';
import { AsyncQueue } from '../../util/async-queue.js';
import { GatewayError, describeError } from '../../util/errors.js';
import type { SessionClock } from './clock.js';
import { DataPath } from './data-path.js';
import type { DataHost } from './data-path.js';
import { MsgType, SessionType, commandFrame, copyFrame, isCommandType, readFrame } from './frames.js';
import type { FrameRoute, Inbound, Member } from './frames.js';
import { Liveness } from './liveness.js';
import { reader } from './reader.js';
import { ReplayGuard } from './replay.js';
import { SendWindow } from './send-window.js';
import { DEFAULT_PUBLISH_TIMEOUT_MS, GOODBYE_TIMEOUT_MS } from './constants.js';
import { ControlRequests, REPLY_TYPES } from './requests.js';
import { SerialLoop } from './serial-loop.js';
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
  /** Unacknowledged data messages before publishes wait (reliable sessions only). */
  readonly sendWindow: number;
  readonly headerCheckPercent: number;
  readonly metadata: Record<string, string>;
  readonly isModerator: boolean;
}

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
  protected readonly requests: ControlRequests;
  protected readonly data: DataPath;
  protected readonly liveness: Liveness;
  protected state: 'setup' | 'open' | 'closing' | 'closed' = 'setup';
  private readonly loop: SerialLoop;
  private readonly window: SendWindow;
  private readonly delivered = new AsyncQueue<SessionMessage>(1024);
  private readonly listeners = new Set<(e: ParticipantEvent) => void>();
  private closeInfo: ((info: SessionCloseInfo) => void) | undefined;
  /** Aborts sends still waiting for the link once a goodbye runs out of time, and at teardown. */
  private readonly sending = new AbortController();
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
    return [...this.roster.values()].filter((m) => m.online).map((m) => m.name);
  }

  onParticipant(listener: (event: ParticipantEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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

  /**
   * Closing: no more deliveries (what is queued stays readable). Done before queueing the close
   * on the loop, which may be waiting for room in a full queue nobody reads.
   */
  protected stopDelivery(): void {
    this.delivered.end();
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

  /** Members that joined after this side did: their ids start at 1. */
  protected readonly lateJoiners = new Set<string>();

  // ---- event loop ----

  /** Runs `fn` on the session's loop, after what is already queued. */
  protected run<T>(fn: () => Promise<T> | T): Promise<T> {
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
    if (REPLY_TYPES.has(frame.type)) this.requests.onReply(frame);
    await this.onControl(frame);
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
    const tracked = this.requests.track(frame, expected, what, this.now());
    await this.transmitCopy(frame);
    if (this.isToGroupName(frame)) this.liveness.sent();
    return tracked;
  }

  /** Stops waiting for a request (deadline passed); its promise rejects with `err`. */
  protected cancelRequest(id: number, err: Error): void {
    this.requests.cancel(id, err);
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

  protected assertOpen(): void {
    if (this.state === 'closed' || this.state === 'closing')
      throw new GatewayError('CLOSED', 'session is closed');
  }

  private isToGroupName(frame: Message): boolean {
    const g = this.groupName();
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
  protected async goodbye(
    build: () => Promise<{ frame: Message; expected: string[]; what: string } | undefined>,
  ): Promise<void> {
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

  /** Ends the session once: timers stop, waiters fail, subscriptions go, `closed()` resolves. */
  protected async teardown(info: SessionCloseInfo): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.loop.stop();
    this.window.close(new GatewayError('CLOSED', 'session is closed')); // as assertOpen says
    this.requests.clear(info.error ?? new GatewayError('CLOSED', 'session closed'));
    this.data.clear();
    this.liveness.stop();
    this.sending.abort(new GatewayError('CLOSED', 'session is closed'));
    await this.releaseResources();
    this.group?.close();
    if (info.reason === 'error' && info.error) this.delivered.fail(info.error);
    else this.delivered.end();
    this.log.info({ reason: info.reason }, 'session closed');
    this.deps.gone(this);
    this.closeInfo?.(info);
  }

  /** A member stopped answering (no acknowledgements, no heartbeats). */
  protected abstract memberOffline(key: string, why: string): void;
  /** The heartbeat period passed: `offline` members went silent; `send` a HEARTBEAT or not. */
  protected abstract heartbeatTick(offline: string[], send: boolean): Promise<void>;

  /** Role hook: unsubscribe channels and the like (errors are logged, never thrown). */
  protected async releaseResources(): Promise<void> {}
}

/** A control message id: random, never 0 (the replay check refuses 0). */
export function randomId(): number {
  return randomInt(1, 0xffff_ffff);
}
