// The session core (docs/sessions-mls.md): a serial event loop (frames, calls and timer
// ticks one at a time, as the reference's per-session task, so MLS state is never used
// concurrently), the outbound seal, inbound control checks (token, signature, replay with
// remembered replies), the data path's host, and teardown. Invariant: everything that touches
// session state runs on the loop; once `closed`, no frame is handled and every timer is stopped.
// session-base.ts adds the public API and the helpers the roles share.
import type { Logger } from 'pino';
import type { IdentityProvider, IdentityVerifier } from '../auth/index.js';
import type { Link } from '../dataplane/link.js';
import { baseName, nameKey } from '../dataplane/name.js';
import type { SlimName } from '../dataplane/name.js';
import type { MlsGroup } from '../mls/types.js';
import type { Message } from '../proto/index.js';
import { AsyncQueue } from '../../util/async-queue.js';
import { GatewayError, describeError } from '../../util/errors.js';
import type { SessionClock } from './clock.js';
import { DataPath } from './data-path.js';
import type { DataHost } from './data-path.js';
import { MsgType, SessionType, copyFrame, isCommandType, readFrame } from './frames.js';
import type { Inbound, Member } from './frames.js';
import { Liveness } from './liveness.js';
import { ReplayGuard, replayKey } from './replay.js';
import { SendWindow } from './send-window.js';
import { DEFAULT_PUBLISH_TIMEOUT_MS } from './constants.js';
import { ControlRequests, REPLY_TYPES } from './requests.js';
import { SerialLoop } from './serial-loop.js';
import type { RetryPolicy } from './retry.js';
import { earliest } from './retry.js';
import { openData, sealFrame, verifyControlFrame } from './secure.js';
import { checkBound, verifyFrameToken } from './peer-identity.js';
import type { IdentityNamer } from './peer-identity.js';
import type { ParticipantEvent, SessionCloseInfo, SessionKind, SessionMessage } from './types.js';

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
  gone(session: SessionCore): void;
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

export abstract class SessionCore implements DataHost {
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
  /** Participant side: the verified identity of the app that invited this one. */
  peerIdentity: string | undefined;
  private readonly loop: SerialLoop;
  protected readonly window: SendWindow;
  protected readonly delivered = new AsyncQueue<SessionMessage>(1024);
  protected readonly listeners = new Set<(e: ParticipantEvent) => void>();
  private closeInfo: ((info: SessionCloseInfo) => void) | undefined;
  /** Aborts sends still waiting for the link once a goodbye runs out of time, and at teardown. */
  protected readonly sending = new AbortController();
  protected readonly closedPromise: Promise<SessionCloseInfo>;

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

  protected abstract onControl(frame: Inbound): Promise<void>;
  /** Heartbeats and group-wide control go here: the peer (p2p) or the control channel (group). */
  protected abstract groupName(): SlimName | undefined;

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
    await this.onControl(frame);
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
