// An in-memory implementation of the session API (src/slim/session/types.ts) for component tests
// of the layers above it: apps joined by a map instead of a data plane. Same observable semantics
// as SLIM sessions: p2p and group sessions, payload + metadata + source per message, in-order
// delivery, payloads copied as if they crossed a wire, membership events, close propagation.
// Fault injection: `crash(app)` makes an app vanish silently (its peers hear nothing), optionally
// announcing it to group moderators as 'offline' or 'left'; `setupDelayMs` slows session setup.
import { randomInt } from 'node:crypto';
import { AsyncQueue } from '../../src/util/async-queue.js';
import { GatewayError } from '../../src/util/errors.js';
import {
  NULL_ID,
  baseName,
  formatName,
  parseName,
  sameComponents,
  sameName,
  withId,
} from '../../src/slim/dataplane/name.js';
import type { SlimName } from '../../src/slim/dataplane/name.js';
import type {
  AcceptPolicy,
  ParticipantEvent,
  PublishOptions,
  Session,
  SessionCloseInfo,
  SessionKind,
  SessionMessage,
  SessionOptions,
  SlimApp,
} from '../../src/slim/session/types.js';

let nextInstance = 1n;

export class MemorySessionNetwork {
  readonly apps: MemoryApp[] = [];
  /** Delay added to every session setup and invitation (ms). */
  setupDelayMs = 0;

  app(name: SlimName | string, options: { acceptPolicy?: AcceptPolicy } = {}): MemoryApp {
    const base = typeof name === 'string' ? parseName(name) : name;
    const full = base.id === NULL_ID ? withId(base, nextInstance++) : base;
    const app = new MemoryApp(this, full, options.acceptPolicy ?? (() => true));
    this.apps.push(app);
    return app;
  }

  find(name: SlimName): MemoryApp | undefined {
    return this.apps.find(
      (a) => a.alive && sameComponents(a.name, name) && (name.id === NULL_ID || a.name.id === name.id),
    );
  }

  /** The app disappears without a word; group moderators optionally get an event about it. */
  crash(app: MemoryApp, announce: 'none' | 'offline' | 'left' = 'none'): void {
    app.crash(announce);
  }

  delay(): Promise<void> {
    return this.setupDelayMs > 0 ? new Promise((r) => setTimeout(r, this.setupDelayMs)) : Promise.resolve();
  }
}

export class MemoryApp implements SlimApp {
  alive = true;
  readonly sessions = new Set<MemorySession>();
  private readonly incomingQueue = new AsyncQueue<Session>();
  private resolveClosed!: () => void;
  private readonly closedPromise = new Promise<void>((r) => (this.resolveClosed = r));

  constructor(
    readonly net: MemorySessionNetwork,
    readonly name: SlimName,
    private readonly acceptPolicy: AcceptPolicy,
  ) {}

  async createSession(destination: SlimName, options: SessionOptions): Promise<Session> {
    if (!this.alive) throw new GatewayError('CLOSED', 'app closed');
    await this.net.delay();
    options.signal?.throwIfAborted();
    const group = new Group(options.kind, options.mls ?? true, { ...(options.metadata ?? {}) });
    if (options.kind === 'group') {
      return group.join(this, destination, true);
    }
    const peer = this.net.find(destination);
    if (!peer) throw new GatewayError('UNREACHABLE', `no route to ${formatName(destination)}`);
    if (!peer.offer(this.name, 'p2p', group))
      throw new GatewayError('UNAVAILABLE', 'session refused by the peer');
    const mine = group.join(this, peer.name, true);
    const theirs = group.join(peer, this.name, false);
    peer.deliverIncoming(theirs);
    return mine;
  }

  /** Whether this app takes a session from `source` (its accept policy). */
  offer(source: SlimName, kind: SessionKind, group: Group): boolean {
    return (
      this.alive &&
      this.acceptPolicy({
        source,
        identity: baseName(source),
        kind,
        mls: group.mls,
        metadata: group.metadata,
      })
    );
  }

  deliverIncoming(session: MemorySession): void {
    void this.incomingQueue.push(session);
  }

  incoming(): AsyncIterable<Session> {
    return this.incomingQueue;
  }

  crash(announce: 'none' | 'offline' | 'left'): void {
    this.alive = false;
    for (const s of this.sessions) s.vanish(announce);
    this.incomingQueue.end();
    this.resolveClosed();
  }

  async close(): Promise<void> {
    if (!this.alive) return;
    this.alive = false;
    await Promise.all([...this.sessions].map((s) => s.close()));
    this.incomingQueue.end();
    this.resolveClosed();
  }

  closed(): Promise<void> {
    return this.closedPromise;
  }
}

/** The shared state of one session: its members' endpoints. */
class Group {
  readonly id = randomInt(1, 2 ** 31);
  readonly members: MemorySession[] = [];
  private messageId = 1;

  constructor(
    readonly kind: SessionKind,
    readonly mls: boolean,
    readonly metadata: Record<string, string>,
  ) {}

  join(app: MemoryApp, destination: SlimName, moderator: boolean): MemorySession {
    const s = new MemorySession(this, app, destination, moderator);
    for (const m of this.members) m.emit({ type: 'joined', name: app.name });
    this.members.push(s);
    app.sessions.add(s);
    return s;
  }

  leave(s: MemorySession, event: 'left' | 'offline' | 'none'): void {
    const i = this.members.indexOf(s);
    if (i < 0) return;
    if (event !== 'offline') this.members.splice(i, 1);
    if (event !== 'none') for (const m of this.members) if (m !== s) m.emit({ type: event, name: s.local });
  }

  send(from: MemorySession, to: SlimName | undefined, payload: Uint8Array, options: PublishOptions): void {
    const message: SessionMessage = {
      payload: new Uint8Array(payload),
      payloadType: options.payloadType ?? 'msg',
      metadata: Object.freeze({ ...(options.metadata ?? {}) }),
      source: from.local,
      identity: baseName(from.local),
      sessionId: this.id,
      messageId: this.messageId++,
    };
    for (const m of this.members) {
      if (m === from || !m.reachable) continue;
      if (to && !(sameName(m.local, to) || (to.id === NULL_ID && sameComponents(m.local, to)))) continue;
      m.receive(message);
    }
  }
}

export class MemorySession implements Session {
  readonly id: number;
  readonly kind: SessionKind;
  readonly mls: boolean;
  readonly reliable = true;
  readonly metadata: Readonly<Record<string, string>>;
  readonly peerIdentity: string | undefined;
  private readonly inbox = new AsyncQueue<SessionMessage>();
  private readonly listeners = new Set<(e: ParticipantEvent) => void>();
  private closeInfo: SessionCloseInfo | undefined;
  private resolveClosed!: (info: SessionCloseInfo) => void;
  private readonly closedPromise = new Promise<SessionCloseInfo>((r) => (this.resolveClosed = r));
  /** False once this endpoint vanished (crash): it neither sends nor receives. */
  reachable = true;

  constructor(
    private readonly group: Group,
    private readonly app: MemoryApp,
    readonly destination: SlimName,
    readonly isModerator: boolean,
  ) {
    this.id = group.id;
    this.kind = group.kind;
    this.mls = group.mls;
    this.metadata = Object.freeze({ ...group.metadata });
    this.peerIdentity = isModerator ? undefined : baseName(destination);
  }

  get local(): SlimName {
    return this.app.name;
  }

  private check(): void {
    if (this.closeInfo) throw new GatewayError('CLOSED', 'session closed');
  }

  async publish(payload: Uint8Array, options: PublishOptions = {}): Promise<void> {
    this.check();
    await Promise.resolve();
    if (this.reachable) this.group.send(this, undefined, payload, options);
  }

  async publishTo(target: SlimName, payload: Uint8Array, options: PublishOptions = {}): Promise<void> {
    this.check();
    await Promise.resolve();
    if (this.reachable) this.group.send(this, this.kind === 'p2p' ? undefined : target, payload, options);
  }

  receive(message: SessionMessage): void {
    if (!this.closeInfo) void this.inbox.push(message);
  }

  messages(): AsyncIterable<SessionMessage> {
    return this.inbox;
  }

  async invite(
    name: SlimName,
    options: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<SlimName> {
    this.check();
    if (!this.isModerator || this.kind !== 'group')
      throw new GatewayError('INVALID_ARGUMENT', 'not a moderator');
    await this.app.net.delay();
    options.signal?.throwIfAborted();
    const peer = this.app.net.find(name);
    if (!peer) throw new GatewayError('UNREACHABLE', `no route to ${formatName(name)}`);
    if (!peer.offer(this.local, 'group', this.group))
      throw new GatewayError('UNAVAILABLE', 'invitation refused');
    const theirs = this.group.join(peer, this.destination, false);
    peer.deliverIncoming(theirs);
    return peer.name;
  }

  async remove(name: SlimName): Promise<void> {
    this.check();
    const target = this.group.members.find((m) => m !== this && sameName(m.local, name));
    if (!target) throw new GatewayError('NOT_FOUND', `${formatName(name)} is not a member`);
    await Promise.resolve();
    target.end({ reason: 'remote' });
    this.group.leave(target, 'left');
  }

  participants(): SlimName[] {
    return this.group.members.map((m) => m.local);
  }

  onParticipant(listener: (event: ParticipantEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: ParticipantEvent): void {
    for (const l of this.listeners) l(event);
  }

  end(info: SessionCloseInfo): void {
    if (this.closeInfo) return;
    this.closeInfo = info;
    this.app.sessions.delete(this);
    if (info.error) this.inbox.fail(info.error);
    else this.inbox.end();
    this.resolveClosed(info);
  }

  /** Crash: this endpoint stops, nobody is told (unless announced to the others). */
  vanish(announce: 'none' | 'offline' | 'left'): void {
    this.reachable = false;
    this.group.leave(this, announce);
    this.end({ reason: 'error', error: new GatewayError('CLOSED', 'app crashed') });
  }

  async close(): Promise<void> {
    if (this.closeInfo) return;
    await Promise.resolve();
    this.end({ reason: 'local' });
    if (this.kind === 'p2p' || this.isModerator) {
      for (const m of [...this.group.members]) if (m !== this) m.end({ reason: 'remote' });
      this.group.members.length = 0;
    } else {
      this.group.leave(this, 'left');
    }
  }

  closed(): Promise<SessionCloseInfo> {
    return this.closedPromise;
  }
}
