// A Link to the embedded node without sockets: the app's frames go straight to the forwarder and
// routed frames come back through a bounded delivery queue drained on the next turn of the event
// loop (so a handler that publishes never re-enters the forwarder). No negotiation and no header
// MAC: the reference treats in-process apps as local connections, which carry none. Subscription
// ids are still unique per link, as on a gRPC link.
import type { Logger } from '../../util/log.js';
import { GatewayError, describeError } from '../../util/errors.js';
import { combineSignals, raceSignal } from '../../util/abort.js';
import type { Message, SLIMHeader } from '../proto/index.js';
import type { Link, LinkState, SubscribeOptions } from '../dataplane/link.js';
import type { SlimName } from '../dataplane/name.js';
import { nameKey } from '../dataplane/name.js';
import { newSubscriptionId, subscribeFrame, unsubscribeFrame } from '../dataplane/frames.js';
import { clientPublishCopy } from '../dataplane/wire.js';
import type { Forwarder } from './forwarder.js';
import type { NodePeer } from './peer.js';
import { PublishFrame } from './publish-frame.js';
import type { HeaderView } from './publish-frame.js';

export interface InProcessHost {
  forwarder: Forwarder;
  nextConnectionId(): number;
  isClosed(): boolean;
  onLinkClosed(link: InProcessLink): void;
}

export class InProcessLink implements Link, NodePeer {
  readonly kind = 'local' as const;
  readonly label = 'in-process';
  readonly id: number;
  readonly wireId: bigint;
  state: LinkState = 'idle';
  onmessage: ((msg: Message) => void) | undefined;
  onstatechange: ((state: LinkState, error?: Error) => void) | undefined;

  private readonly inbox: Message[] = [];
  private scheduled = false;
  private drainWaiters: (() => void)[] = [];
  private readonly subs = new Map<string, { id: bigint; refs: number }>();
  private readonly subIds = new Set<bigint>();
  private readonly closedPromise: Promise<void>;
  private resolveClosed!: () => void;

  constructor(
    private readonly host: InProcessHost,
    private readonly log: Logger,
    private readonly capacity: number,
    private readonly publishTimeoutMs: number,
  ) {
    this.id = host.nextConnectionId();
    this.wireId = BigInt(this.id);
    this.closedPromise = new Promise((r) => (this.resolveClosed = r));
  }

  start(): Promise<void> {
    if (this.state === 'closed') return Promise.reject(new GatewayError('CLOSED', 'link closed'));
    if (this.host.isClosed())
      return Promise.reject(new GatewayError('UNREACHABLE', 'the embedded node is closed'));
    if (this.state === 'idle') {
      this.host.forwarder.attach(this);
      this.setState('ready');
    }
    return Promise.resolve();
  }

  async publish(msg: Message, signal?: AbortSignal): Promise<void> {
    this.assertReady();
    const frame = PublishFrame.fromMessage(clientPublishCopy(msg))!;
    const r = this.host.forwarder.publish(this, frame);
    if (!r) return;
    if ('violation' in r) throw new GatewayError('INVALID_ARGUMENT', r.violation);
    const { signal: s, dispose } = combineSignals([signal], this.publishTimeoutMs);
    try {
      await raceSignal(r.congested, s);
    } finally {
      dispose();
    }
  }

  subscribe(name: SlimName, options: SubscribeOptions): Promise<void> {
    this.assertReady();
    const key = nameKey(name);
    const existing = this.subs.get(key);
    if (existing) {
      existing.refs++;
      return Promise.resolve();
    }
    const id = newSubscriptionId(this.subIds);
    const err = this.apply(subscribeFrame({ name, source: options.source, subscriptionId: id }));
    if (err) return Promise.reject(err);
    this.subs.set(key, { id, refs: 1 });
    this.subIds.add(id);
    return Promise.resolve();
  }

  unsubscribe(name: SlimName, options: SubscribeOptions): Promise<void> {
    this.assertReady();
    const key = nameKey(name);
    const sub = this.subs.get(key);
    if (!sub || --sub.refs > 0) return Promise.resolve();
    this.subs.delete(key);
    this.subIds.delete(sub.id);
    const err = this.apply(unsubscribeFrame({ name, source: options.source, subscriptionId: sub.id }));
    return err ? Promise.reject(err) : Promise.resolve();
  }

  private ackError: string | undefined;

  /** Runs a Subscribe/Unsubscribe through the forwarder; the ack comes back synchronously. */
  private apply(msg: Message): GatewayError | undefined {
    this.ackError = undefined;
    const r = this.host.forwarder.subscription(this, msg);
    if (r && 'violation' in r) return new GatewayError('INVALID_ARGUMENT', r.violation);
    return this.ackError === undefined ? undefined : new GatewayError('UNAVAILABLE', this.ackError);
  }

  sendAck(_id: bigint, error: string | undefined): void {
    this.ackError = error;
  }

  sendPublish(frame: PublishFrame, header: HeaderView): boolean {
    if (this.state !== 'ready') return true;
    const msg = frame.toMessage(header);
    const h = (msg.messageType.value as { header: SLIMHeader }).header;
    h.headerMac = undefined;
    this.inbox.push(msg);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.deliver());
    }
    return this.inbox.length < this.capacity;
  }

  private deliver(): void {
    this.scheduled = false;
    for (const msg of this.inbox.splice(0)) {
      if (this.state !== 'ready') break;
      try {
        this.onmessage?.(msg);
      } catch (err) {
        this.log.error({ conn: this.id, err: describeError(err) }, 'onmessage handler threw');
      }
    }
    for (const w of this.drainWaiters.splice(0)) w();
  }

  drained(): Promise<void> {
    if (this.state !== 'ready' || this.inbox.length < this.capacity) return Promise.resolve();
    return new Promise((r) => this.drainWaiters.push(r));
  }

  private assertReady(): void {
    if (this.state === 'closed') throw new GatewayError('LINK_CLOSED', 'link closed');
    if (this.state !== 'ready') throw new GatewayError('INVALID_ARGUMENT', 'link not started');
  }

  private setState(state: LinkState, error?: Error): void {
    this.state = state;
    try {
      this.onstatechange?.(state, error);
    } catch (err) {
      this.log.error({ err: describeError(err) }, 'onstatechange handler threw');
    }
  }

  /** The node closes its in-process links when it shuts down. */
  close(reason?: string): Promise<void> {
    if (this.state === 'closed') return this.closedPromise;
    const wasAttached = this.state === 'ready';
    this.setState('closed', reason ? new GatewayError('LINK_CLOSED', reason) : undefined);
    if (wasAttached) this.host.forwarder.detach(this.id);
    this.inbox.length = 0;
    for (const w of this.drainWaiters.splice(0)) w();
    this.subs.clear();
    this.host.onLinkClosed(this);
    this.resolveClosed();
    return this.closedPromise;
  }

  closed(): Promise<void> {
    return this.closedPromise;
  }
}
