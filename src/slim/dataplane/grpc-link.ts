// The gRPC client link to a SLIM node (docs/dataplane.md): one OpenChannel stream,
// negotiated as an EDGE link with an X25519 key, header MACs on every Publish/Subscribe/
// Unsubscribe. It keeps the app's subscriptions and, when the stream goes (node restart, GOAWAY,
// network), reconnects with jittered exponential backoff, re-negotiates and re-subscribes
// everything before it reports 'ready' again. Publishes wait in a bounded queue meanwhile.
// Invariants: one live LinkStream at most; every wait has a deadline; close() fails all pending work.// Options and their defaults: grpc-link-options.ts.
import type { Logger } from '../../util/log.js';
import { childLogger } from '../../util/log.js';
import { GatewayError, describeError, isGatewayError } from '../../util/errors.js';
import { combineSignals, raceSignal, sleep } from '../../util/abort.js';
import type { Message } from '../proto/index.js';
import type { Link, LinkState, SubscribeOptions } from './link.js';
import type { SlimName } from './name.js';
import { backoffDelay } from './backoff.js';
import type { BackoffPolicy } from './backoff.js';
import { resolveLinkOptions } from './grpc-link-options.js';
import type { GrpcLinkOptions } from './grpc-link-options.js';
import { LinkSubscriptions } from './link-subscriptions.js';
import { LinkStream } from './link-stream.js';
import type { LinkStreamParams } from './link-stream.js';
import { OutboundQueue } from './outbound-queue.js';
import { clientPublishCopy } from './wire.js';

export type { GrpcLinkOptions } from './grpc-link-options.js';

export class GrpcLink implements Link {
  state: LinkState = 'idle';
  onmessage: ((msg: Message) => void) | undefined;
  onstatechange: ((state: LinkState, error?: Error) => void) | undefined;

  private readonly log: Logger;
  private readonly params: LinkStreamParams;
  private readonly ackTimeoutMs: number;
  private readonly publishTimeoutMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly random: () => number;
  private readonly queue: OutboundQueue;
  private readonly subs: LinkSubscriptions;
  private readonly closer = new AbortController();
  private stream: LinkStream | undefined;
  private starting: Promise<void> | undefined;
  private reconnecting = false;
  private isClosed = false;
  private readonly closedPromise: Promise<void>;
  private resolveClosed!: () => void;

  constructor(options: GrpcLinkOptions) {
    this.log = childLogger(options.logger, 'link').child({ endpoint: options.endpoint });
    const resolved = resolveLinkOptions(options, this.log);
    this.params = resolved.params;
    this.ackTimeoutMs = resolved.ackTimeoutMs;
    this.subs = new LinkSubscriptions(this.ackTimeoutMs, this.log);
    this.publishTimeoutMs = resolved.publishTimeoutMs;
    this.backoff = resolved.backoff;
    this.random = resolved.random;
    this.queue = new OutboundQueue(resolved.queueCapacity);
    this.closedPromise = new Promise((r) => (this.resolveClosed = r));
  }

  /** Whether the current stream's frames leave in batched socket writes (grpc-batch-writer.ts). */
  get batchedWrites(): boolean {
    return this.stream?.batched ?? false;
  }

  /** Whether the current stream carries header MACs (a key was negotiated). */
  get headerMacActive(): boolean {
    return this.stream?.hasHeaderMac ?? false;
  }

  start(signal?: AbortSignal): Promise<void> {
    if (this.isClosed) return Promise.reject(new GatewayError('CLOSED', 'link closed'));
    if (this.state === 'ready' || this.state === 'reconnecting') return Promise.resolve();
    this.starting ??= this.firstConnect(signal).finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async firstConnect(signal: AbortSignal | undefined): Promise<void> {
    this.setState('connecting');
    const { signal: s, dispose } = combineSignals([signal, this.closer.signal]);
    try {
      const stream = await LinkStream.open(this.params, s);
      if (this.isClosed) {
        stream.close();
        throw new GatewayError('CLOSED', 'link closed');
      }
      this.attach(stream);
      this.log.info(
        { linkId: stream.linkId, nodeId: stream.nodeId, headerMac: stream.hasHeaderMac },
        'link up',
      );
      if ((await this.subs.replay(stream)) && this.stream === stream) {
        this.setState('ready');
        this.pump();
      } else {
        this.beginReconnect(new GatewayError('LINK_CLOSED', 'link lost while subscribing'));
      }
    } catch (err) {
      if (!this.isClosed) this.setState('idle', err as Error);
      throw err;
    } finally {
      dispose();
    }
  }

  private attach(stream: LinkStream): void {
    this.stream = stream;
    stream.onframe = (msg) => this.onFrame(msg);
    stream.ondrain = () => this.pump();
    stream.onend = (err) => {
      if (this.stream !== stream) return;
      this.stream = undefined;
      this.subs.acks.failAll(err);
      if (this.isClosed) return;
      this.log.warn({ linkId: stream.linkId, err: err.message }, 'link lost; reconnecting');
      if (this.state === 'ready') this.beginReconnect(err);
    };
  }

  private beginReconnect(err: Error): void {
    this.setState('reconnecting', err);
    if (this.reconnecting) return;
    this.reconnecting = true;
    void this.reconnectLoop();
  }

  private async reconnectLoop(): Promise<void> {
    for (let attempt = 0; !this.isClosed; attempt++) {
      try {
        await sleep(backoffDelay(attempt, this.backoff, this.random), this.closer.signal);
      } catch {
        break;
      }
      let stream: LinkStream;
      try {
        stream = await LinkStream.open(this.params, this.closer.signal);
      } catch (err) {
        // A refused or unreadable credential does not fix itself: worth a warning at every attempt.
        if (isGatewayError(err, 'AUTH'))
          this.log.warn({ attempt, err: describeError(err) }, 'reconnect refused');
        else this.log.debug({ attempt, err: describeError(err) }, 'reconnect attempt failed');
        continue;
      }
      if (this.isClosed) {
        stream.close();
        break;
      }
      this.attach(stream);
      if ((await this.subs.replay(stream)) && this.stream === stream) {
        this.log.info(
          { linkId: stream.linkId, attempt, subscriptions: this.subs.size },
          'link re-established',
        );
        this.reconnecting = false;
        this.setState('ready');
        this.pump();
        return;
      }
      stream.close();
      if (this.stream === stream) this.stream = undefined;
    }
    this.reconnecting = false;
  }

  private onFrame(msg: Message): void {
    switch (msg.messageType.case) {
      case 'publish':
        try {
          this.onmessage?.(msg);
        } catch (err) {
          this.log.error({ err: describeError(err) }, 'onmessage handler threw');
        }
        return;
      case 'subscriptionAck':
        if (!this.subs.acks.deliver(msg.messageType.value)) this.log.debug('unexpected SubscriptionAck');
        return;
      default:
        this.log.trace({ type: msg.messageType.case }, 'ignoring frame from node');
    }
  }

  async publish(msg: Message, signal?: AbortSignal): Promise<void> {
    if (this.isClosed) throw new GatewayError('LINK_CLOSED', 'link closed');
    const out = clientPublishCopy(msg);
    const stream = this.stream;
    if (this.state === 'ready' && stream?.writable && this.queue.length === 0) {
      stream.write(out);
      return;
    }
    const { signal: s, dispose } = combineSignals([signal, this.closer.signal], this.publishTimeoutMs);
    try {
      const { written } = await this.queue.enqueue(out, s);
      this.pump();
      await written;
    } finally {
      dispose();
    }
  }

  private pump(): void {
    const stream = this.stream;
    while (stream && this.state === 'ready' && stream.writable) {
      const entry = this.queue.shift();
      if (!entry) return;
      try {
        stream.write(entry.msg);
        entry.resolve();
      } catch (err) {
        entry.reject(err as Error);
      }
    }
  }

  async subscribe(name: SlimName, options: SubscribeOptions, signal?: AbortSignal): Promise<void> {
    if (this.isClosed) throw new GatewayError('LINK_CLOSED', 'link closed');
    const { sub, isNew } = this.subs.add(name, options);
    const stream = this.stream;
    // Not ready: the subscription goes out with the replay when the link (re)connects.
    if (isNew && stream && this.state === 'ready') this.subs.sendSubscribe(sub, stream).catch(() => {});
    const { signal: s, dispose } = combineSignals([signal, this.closer.signal], this.ackTimeoutMs);
    try {
      await raceSignal(sub.confirmed, s);
    } catch (err) {
      if (this.subs.release(name) === sub && this.stream && this.state === 'ready') {
        this.subs.sendUnsubscribe(sub, this.stream).catch(() => {});
      }
      throw err;
    } finally {
      dispose();
    }
  }

  async unsubscribe(name: SlimName, _options: SubscribeOptions, signal?: AbortSignal): Promise<void> {
    if (this.isClosed) throw new GatewayError('LINK_CLOSED', 'link closed');
    const sub = this.subs.release(name);
    if (!sub) return;
    sub.refuse(new GatewayError('CANCELLED', 'unsubscribed before the node confirmed'));
    const stream = this.stream;
    if (!stream || this.state !== 'ready') return; // the node dropped it with the old connection
    const { signal: s, dispose } = combineSignals([signal, this.closer.signal], this.ackTimeoutMs);
    try {
      await raceSignal(this.subs.sendUnsubscribe(sub, stream), s);
    } finally {
      dispose();
    }
  }

  private setState(state: LinkState, error?: Error): void {
    if (this.state === state) return;
    this.state = state;
    try {
      this.onstatechange?.(state, error);
    } catch (err) {
      this.log.error({ err: describeError(err) }, 'onstatechange handler threw');
    }
  }

  close(): Promise<void> {
    if (this.isClosed) return this.closedPromise;
    this.isClosed = true;
    const err = new GatewayError('CLOSED', 'link closed');
    this.closer.abort(err);
    this.queue.failAll(err);
    this.subs.failAll(err);
    this.stream?.close();
    this.stream = undefined;
    this.setState('closed');
    this.log.info('link closed');
    this.resolveClosed();
    return this.closedPromise;
  }

  closed(): Promise<void> {
    return this.closedPromise;
  }
}
