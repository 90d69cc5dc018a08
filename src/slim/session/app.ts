// A SLIM app (docs/sessions-mls.md#roles-and-names, crates/session/src/session_layer.rs): one name
// whose instance id derives from the identity token id, subscribed on its link; it creates
// sessions (as their moderator) and answers the two messages that arrive before a session exists:
// DISCOVERY_REQUEST (always token- and signature-checked, answered statelessly, refused with a
// signed GROUP_NACK when the identity is not accepted: docs/security.md, "Refusals") and JOIN_REQUEST
// (checked, refused in the same way, filtered by the accept policy, becomes a participant session that the app hands out
// once its welcome is in). Frames of known sessions go to them; a closed session's replies are
// kept for one retry budget (state/tombstones.ts) so a resent GROUP_CLOSE or LEAVE_REQUEST is still
// answered. Session parameters are derived in session-params.ts; the answers to frames of no live
// session are in pre-session.ts.
import type { Logger } from 'pino';
import type { IdentityProvider, IdentityVerifier } from '../auth/index.js';
import type { Link, LinkState } from '../dataplane/link.js';
import { baseName, makeName, nameIdFromTokenId, nameKey, sameName, withId } from '../dataplane/name.js';
import type { SlimName } from '../dataplane/name.js';
import type { MlsClient } from '../mls/types.js';
import type { Message } from '../proto/index.js';
import { AsyncQueue } from '../../util/async-queue.js';
import { GatewayError, describeError } from '../../util/errors.js';
import { childLogger } from '../../util/log.js';
import { realClock } from './clock.js';
import type { SessionClock } from './clock.js';
import {
  DEFAULT_SETUP_TIMEOUT_MS,
  GOODBYE_TIMEOUT_MS,
  HEARTBEAT_INTERVAL_MS,
  SESSION_ID_LIMIT,
} from './constants.js';
import { reader } from './reader.js';
import { MsgType, SessionType, commandOf, readFrame } from './frames.js';
import type { Inbound } from './frames.js';
import { ModeratorRole } from './moderator.js';
import { ParticipantRole } from './participant.js';
import { channelsOf } from './participant-frames.js';
import { SlimSession } from './session.js';
import type { SessionDeps } from './session.js';
import {
  acceptTimeoutMs,
  channelNames,
  moderatorParams,
  newSessionId,
  participantParams,
} from './session-params.js';
import { Tombstones } from './state/tombstones.js';
import { replayKey } from './state/replay.js';
import { PreSession } from './pre-session.js';
import type { RefusalLimits } from './state/refusal-limit.js';
import { identityNamerFor } from './peer-identity.js';
import type { IdentityNamer } from './peer-identity.js';
import type { AcceptPolicy, Session, SessionOptions, SlimApp } from './types.js';

export interface SlimAppOptions {
  /** The app's name, `org/ns/app` (any id is replaced by the one derived from the identity). */
  name: SlimName;
  /** Link to the node; started here if idle, closed with the app. */
  link: Link;
  identity: IdentityProvider & IdentityVerifier;
  /** MLS for the sessions that use it (one client per app), or a factory called on first use. */
  mls?: MlsClient | (() => MlsClient | Promise<MlsClient>);
  acceptPolicy?: AcceptPolicy;
  logger?: Logger;
  /** Injected time (tests); it should also drive the identity provider's clock. */
  clock?: SessionClock;
  /** Heartbeat period (default 10 s, the reference's); offline after 3 silent periods. */
  heartbeatIntervalMs?: number;
  /** Send window of the sessions this app accepts (SessionOptions.sendWindow; default 128). */
  sendWindow?: number;
  /**
   * The identity allow lists see, from a verified token id (default: peer-identity.ts
   * identityNamerFor: the claimed name with a shared secret, the subject otherwise).
   */
  identityNamer?: IdentityNamer;
  /** Budget of discovery refusals (default: refusal-limit.ts DEFAULT_REFUSAL_LIMITS). */
  refusalLimits?: RefusalLimits;
}

export async function createSlimApp(options: SlimAppOptions): Promise<SlimApp> {
  const app = new SlimAppImpl(options);
  await app.start();
  return app;
}

class SlimAppImpl implements SlimApp {
  readonly name: SlimName;
  private readonly log: Logger;
  private readonly clock: SessionClock;
  private readonly sessions = new Map<number, SlimSession>();
  private readonly tombstones: Tombstones;
  private readonly incomingQueue = new AsyncQueue<Session>(64);
  private readonly preSession: PreSession;
  private readonly namer: IdentityNamer;
  private readonly linkListeners = new Set<(state: LinkState) => void>();
  private mlsPromise: Promise<MlsClient> | undefined;
  private closing: Promise<void> | undefined;
  private readonly done: Promise<void>;
  private markDone!: () => void;

  constructor(private readonly options: SlimAppOptions) {
    const n = options.name;
    this.name = withId(makeName(n.org, n.namespace, n.app), nameIdFromTokenId(options.identity.tokenId));
    this.log = childLogger(options.logger, 'session').child({ app: baseName(this.name) });
    this.clock = options.clock ?? realClock;
    this.namer = options.identityNamer ?? identityNamerFor(options.identity);
    this.tombstones = new Tombstones(this.clock);
    this.preSession = new PreSession(
      this.name,
      options.identity,
      options.link,
      this.clock,
      this.tombstones,
      this.log,
      options.refusalLimits,
    );
    this.done = new Promise((r) => (this.markDone = r));
  }

  async start(): Promise<void> {
    const link = this.options.link;
    link.onmessage = (msg) => this.onMessage(msg);
    // A link closed for good (not reconnecting) takes every session with it.
    link.onstatechange = (state, error) => {
      if (state === 'closed' && !this.closing) void this.linkLost(error);
      for (const l of this.linkListeners) {
        try {
          l(state);
        } catch (err) {
          this.log.warn({ err: describeError(err) }, 'link state listener threw');
        }
      }
    };
    if (link.state === 'idle') await link.start();
    await link.subscribe(this.name, { source: this.name, identity: this.options.identity.token() });
    this.log.info({ id: this.name.id.toString(16).padStart(32, '0') }, 'app ready');
  }

  async createSession(destination: SlimName, options: SessionOptions): Promise<Session> {
    if (this.closing) throw new GatewayError('CLOSED', 'app is closed');
    const mls = options.mls ?? true;
    if (mls && !this.options.mls)
      throw new GatewayError('CONFIG', 'MLS requested but the app has no MLS client');
    const params = moderatorParams(
      newSessionId(this.sessions, this.tombstones),
      options,
      mls,
      this.options.sendWindow,
    );
    const channels =
      options.kind === 'group' ? channelNames(this.options.identity.tokenId, destination) : undefined;
    let moderator!: ModeratorRole;
    const session = new SlimSession(this.deps(), params, {
      channels,
      role: (host) => (moderator = new ModeratorRole(host, destination, () => this.mlsClient())),
    });
    this.sessions.set(params.id, session);
    try {
      await moderator.setup({
        signal: options.signal,
        timeoutMs: options.setupTimeoutMs ?? DEFAULT_SETUP_TIMEOUT_MS,
      });
    } catch (err) {
      await session.fail(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
    return session;
  }

  get linkState(): LinkState {
    return this.options.link.state;
  }

  onLinkState(listener: (state: LinkState) => void): () => void {
    this.linkListeners.add(listener);
    return () => this.linkListeners.delete(listener);
  }

  incoming(): AsyncIterable<Session> {
    return reader(this.incomingQueue);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.sessions.values()].map((s) => s.close()));
      try {
        const bound = AbortSignal.timeout(GOODBYE_TIMEOUT_MS);
        await this.options.link.unsubscribe(this.name, { source: this.name }, bound);
      } catch (err) {
        this.log.debug({ err: describeError(err) }, 'unsubscribe failed');
      }
      await this.options.link.close();
      this.incomingQueue.end();
      this.log.info('app closed');
      this.markDone();
    })();
    return this.closing;
  }

  closed(): Promise<void> {
    return this.done;
  }

  private async linkLost(error: Error | undefined): Promise<void> {
    this.log.warn({ err: error ? describeError(error) : undefined }, 'link closed: ending every session');
    const err = new GatewayError('LINK_CLOSED', 'the link to the node closed', { cause: error });
    await Promise.allSettled([...this.sessions.values()].map((s) => s.fail(err)));
    await this.close();
  }

  // ---- inbound ----

  private onMessage(msg: Message): void {
    const frame = readFrame(msg);
    if (!frame) return;
    const session = this.sessions.get(frame.sessionId);
    // A JOIN_REQUEST for a session that is ending here (we were just removed) may be a new
    // invitation to the same group: onJoin decides.
    if (session && !(frame.type === MsgType.JOIN_REQUEST && session.finished)) {
      session.deliverFrame(frame);
      return;
    }
    if (this.closing) return;
    if (frame.type === MsgType.DISCOVERY_REQUEST)
      void this.preSession.discovery(frame).catch((e: unknown) => this.dropped(frame, e));
    else if (frame.type === MsgType.JOIN_REQUEST)
      void this.onJoin(frame).catch((e: unknown) => this.dropped(frame, e));
    else void this.preSession.fromTombstone(frame).catch((e: unknown) => this.dropped(frame, e));
  }

  private async onJoin(frame: Inbound): Promise<void> {
    const join = commandOf(frame, 'joinRequest');
    if (!join || !sameName(frame.destination, this.name)) return;
    const identity = this.namer(await this.preSession.admit(frame, 'invitation'));
    const id = frame.sessionId;
    if (id >= SESSION_ID_LIMIT || !this.newInvitation(frame)) return;
    const kind = frame.sessionType === SessionType.MULTICAST ? 'group' : 'p2p';
    const mls = join.mlsSettings !== undefined;
    if (mls && !this.options.mls)
      throw new GatewayError('CONFIG', 'MLS session offered but the app has no MLS client');
    const request = { source: frame.source, identity, kind, mls, metadata: { ...frame.metadata } } as const;
    if (this.options.acceptPolicy && !this.options.acceptPolicy(request)) {
      this.log.info(
        { from: baseName(frame.source), caller: identity, kind, mls },
        'session refused by the accept policy',
      );
      await this.preSession.refuseJoin(frame, `${baseName(this.name)} does not accept ${identity}`);
      return;
    }
    const params = participantParams(frame, join, kind, mls, this.options.sendWindow);
    const channels = kind === 'group' ? channelsOf(join) : undefined;
    let participant!: ParticipantRole;
    const session: SlimSession = new SlimSession(this.deps(), params, {
      channels,
      role: (host) =>
        (participant = new ParticipantRole(
          host,
          frame.source,
          () => this.mlsClient(),
          () => void this.incomingQueue.push(session),
        )),
    });
    session.peerIdentity = identity;
    this.sessions.set(params.id, session);
    participant.watchSetup(acceptTimeoutMs(params));
    session.deliverFrame(frame);
  }

  /**
   * A JOIN_REQUEST for a session id we had: a removed member invited back to the same group gets
   * a new request (new message id) and joins at once; a late resend of the old invitation (same
   * sender and message id as the request that created the ended session) is ignored.
   */
  private newInvitation(frame: Inbound): boolean {
    const old = this.sessions.get(frame.sessionId);
    if (old && !old.finished) return false;
    const replay = old?.replay ?? this.tombstones.replay(frame.sessionId);
    if (replay && replay.check(nameKey(frame.source), frame.messageId, replayKey(frame)).kind !== 'new')
      return false;
    this.tombstones.delete(frame.sessionId);
    return true;
  }

  private dropped(frame: Inbound, err: unknown): void {
    this.log.debug(
      { err: describeError(err), type: MsgType[frame.type], from: baseName(frame.source) },
      'frame dropped',
    );
  }

  // ---- helpers ----

  private deps(): SessionDeps {
    return {
      link: this.options.link,
      identity: this.options.identity,
      clock: this.clock,
      logger: this.log,
      heartbeatIntervalMs: this.options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS,
      local: this.name,
      namer: this.namer,
      gone: (s) => this.gone(s),
    };
  }

  private gone(session: SlimSession): void {
    const current = this.sessions.get(session.id);
    if (current && current !== session) return; // the id already serves a new invitation
    this.sessions.delete(session.id);
    this.tombstones.add(session.id, session.replay);
  }

  private mlsClient(): Promise<MlsClient> {
    const m = this.options.mls;
    if (!m) return Promise.reject(new GatewayError('CONFIG', 'no MLS client'));
    this.mlsPromise ??= Promise.resolve(typeof m === 'function' ? m() : m);
    return this.mlsPromise;
  }
}
