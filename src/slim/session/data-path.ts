// The data path of one session (docs/sessions-mls.md#reliability-ack-and-rtx): MSG out (p2p: to the
// peer, fanout 1; group: to the data channel, fanout 256; publish_to: unicast with a random id
// above MAX_PUBLISH_ID and PUBLISH_TO=TRUE), MSG_ACK back to the sender of each MSG when reliable,
// RTX_REQUEST for gaps and RTX_REPLY from the sender's buffer (error=true when it is gone).
// The state lives in DataSender/DataReceiver; this file only turns their decisions into frames.
// Frames kept for retransmission stay plaintext: every (re)send is sealed afresh by the host.
import type { SlimName } from '../dataplane/name.js';
import { nameKey } from '../dataplane/name.js';
import type { Message } from '../proto/index.js';
import { GatewayError } from '../../util/errors.js';
import { DEFAULT_PAYLOAD_TYPE, META_PUBLISH_TO, TRUE_VAL } from './constants.js';
import { DataReceiver } from './state/data-receiver.js';
import type { ReceiverOutput } from './state/data-receiver.js';
import { DataSender } from './state/data-sender.js';
import type { Outgoing } from './state/data-sender.js';
import { MsgType, appFrame, copyFrame, publishOf, redirect } from './frames.js';
import type { FrameRoute, Inbound, SessionType } from './frames.js';
import type { RetryPolicy } from './state/retry.js';
import type { PublishOptions, SessionMessage } from './types.js';

export interface DataHost {
  readonly id: number;
  readonly local: SlimName;
  readonly sessionType: SessionType;
  readonly kind: 'p2p' | 'group';
  now(): number;
  /** Seals and sends a frame (a copy the host may change). */
  transmit(frame: Message): Promise<void>;
  /**
   * The plaintext of a MSG/RTX_REPLY and its sender's verified identity (decrypted, header- and
   * sender-checked), or undefined to drop it.
   */
  open(frame: Inbound): Promise<{ plaintext: Uint8Array; identity: string } | undefined>;
  /** Whether a MSG_ACK/RTX_REQUEST is from who it says, an endpoint of this session. */
  acceptsFeedback(frame: Inbound): boolean;
  /** Whether a frame's token verifies and belongs to its source (no decryption). */
  tokenMatches(frame: Inbound): boolean;
  deliver(message: SessionMessage): Promise<void>;
  /** Where a publish goes: the peer (p2p) or the data channel (group). */
  dataTarget(): { name: SlimName; fanout: number };
  /** Endpoints that never acknowledged a message after every retry. */
  unresponsive(keys: string[]): void;
  expectedFirst(source: SlimName): number | undefined;
  /** Debug-level log line (ids and counts only). */
  debug(info: Record<string, unknown>, msg: string): void;
  sentData(): void;
  lost(source: SlimName, count: number): void;
}

export class DataPath {
  private readonly sender: DataSender<Message, SlimName>;
  private readonly receiver: DataReceiver<SessionMessage, SlimName>;

  constructor(
    private readonly host: DataHost,
    reliable: boolean,
    policy: RetryPolicy,
  ) {
    this.sender = new DataSender(reliable, policy);
    this.receiver = new DataReceiver(reliable, policy);
  }

  get reliable(): boolean {
    return this.sender.reliable;
  }

  async publish(payload: Uint8Array, options: PublishOptions = {}): Promise<void> {
    const id = this.sender.nextId();
    const { name, fanout } = this.host.dataTarget();
    const frame = appFrame(this.route(name, fanout, options.metadata), MsgType.MSG, id, pt(options), payload);
    await this.send(this.sender.publish(id, frame, this.host.now()));
    this.host.sentData();
  }

  async publishTo(target: SlimName, payload: Uint8Array, options: PublishOptions = {}): Promise<void> {
    if (this.host.kind === 'p2p') return this.publish(payload, options);
    const key = nameKey(target);
    if (!this.sender.hasEndpoint(key)) {
      throw new GatewayError('NOT_FOUND', 'publishTo: the target is not a member that receives data');
    }
    const id = this.sender.publishToId();
    const meta = { ...(options.metadata ?? {}), [META_PUBLISH_TO]: TRUE_VAL };
    const frame = appFrame(this.route(target, 1, meta), MsgType.MSG, id, pt(options), payload);
    await this.send(this.sender.publishToOne(id, frame, key, this.host.now()));
    this.host.sentData();
  }

  /** MSG, MSG_ACK, RTX_REQUEST, RTX_REPLY. */
  async onFrame(frame: Inbound): Promise<void> {
    const key = nameKey(frame.source);
    switch (frame.type) {
      case MsgType.MSG_ACK:
        if (this.host.acceptsFeedback(frame)) this.sender.ack(frame.messageId, key, this.host.now());
        return;
      case MsgType.RTX_REQUEST:
        if (!this.host.acceptsFeedback(frame)) return;
        return this.onRtxRequest(frame, key);
      case MsgType.MSG:
      case MsgType.RTX_REPLY:
        return this.onData(frame, key);
      default:
        return;
    }
  }

  /** A member to send to; `fresh` (it just joined): its own data sequence starts anew. */
  addEndpoint(member: { name: SlimName; receivesData: boolean }, fresh: boolean): Promise<void> {
    if (fresh) this.receiver.removeSource(nameKey(member.name));
    if (!member.receivesData) return Promise.resolve();
    return this.send(this.sender.addEndpoint(nameKey(member.name), member.name, this.host.now()));
  }

  /** Stops sending to a member (offline or gone). */
  removeEndpoint(key: string): void {
    this.sender.removeEndpoint(key);
  }

  /** Forgets what was received from a member that left. */
  forgetSource(key: string): void {
    this.receiver.removeSource(key);
  }

  hasEndpoint(key: string): boolean {
    return this.sender.hasEndpoint(key);
  }

  /** Messages still waiting for acknowledgements. */
  pending(): number {
    return this.sender.pendingCount();
  }

  /** Messages holding a place in the send window (unacknowledged or waiting for a member). */
  occupancy(): number {
    return this.sender.occupancy();
  }

  async tick(now: number): Promise<void> {
    const s = this.sender.tick(now);
    if (s.resend.length > 0) this.host.debug({ count: s.resend.length }, 'data resent');
    await this.send(s.resend);
    for (const f of s.failed) {
      this.host.debug({ id: f.id, missing: f.missing.length }, 'data retries exhausted');
      if (f.missing.length > 0) this.host.unresponsive(f.missing);
    }
    await this.apply(this.receiver.tick(now), undefined);
  }

  nextDeadline(): number | undefined {
    const a = this.sender.nextDeadline();
    const b = this.receiver.nextDeadline();
    return a === undefined ? b : b === undefined ? a : Math.min(a, b);
  }

  clear(): void {
    this.sender.clear();
    this.receiver.clear();
  }

  private async onData(frame: Inbound, key: string): Promise<void> {
    const direct = frame.metadata[META_PUBLISH_TO] === TRUE_VAL && this.host.kind === 'group';
    // A copy of a message already in hand (a resend that crossed our ACK) is acknowledged again
    // without being decrypted: under load, decrypting copies is what a slow receiver can least afford.
    // Its token is checked (cheap), so nobody makes us acknowledge in another's name.
    if (this.reliable && this.receiver.isDuplicate(key, frame.messageId, direct)) {
      if (frame.type === MsgType.MSG && this.host.tokenMatches(frame)) await this.ack(frame, direct);
      return;
    }
    const opened = await this.host.open(frame);
    if (opened === undefined) return; // undecryptable, tampered or forged: no ACK, the sender retries
    if (frame.type === MsgType.MSG && this.reliable) await this.ack(frame, direct);
    const message = toMessage(frame, opened.plaintext, opened.identity);
    const now = this.host.now();
    if (frame.type === MsgType.RTX_REPLY) {
      const out = this.receiver.onRetransmission(
        key,
        frame.source,
        frame.messageId,
        frame.error ? undefined : message,
        now,
      );
      return this.apply(out, frame.source);
    }
    if (direct && this.reliable) {
      for (const m of this.receiver.onDirect(key, frame.messageId, message)) await this.host.deliver(m);
      return;
    }
    const first = this.host.expectedFirst(frame.source);
    return this.apply(
      this.receiver.onMessage(key, frame.source, frame.messageId, message, now, first),
      frame.source,
    );
  }

  private ack(frame: Inbound, direct: boolean): Promise<void> {
    const meta = direct ? { [META_PUBLISH_TO]: TRUE_VAL } : undefined;
    return this.host.transmit(
      appFrame(this.route(frame.source, 1, meta), MsgType.MSG_ACK, frame.messageId, '', new Uint8Array()),
    );
  }

  private async onRtxRequest(frame: Inbound, key: string): Promise<void> {
    if (!this.reliable) return;
    const stored = this.sender.retransmission(frame.messageId, key, this.host.now());
    let reply: Message;
    if (stored) {
      reply = copyFrame(stored);
      publishOf(reply).session!.sessionMessageType = MsgType.RTX_REPLY;
      redirect(reply, frame.source, 1);
    } else {
      reply = appFrame(
        this.route(frame.source, 1),
        MsgType.RTX_REPLY,
        frame.messageId,
        '',
        new Uint8Array(),
        true,
      );
    }
    await this.host.transmit(reply);
  }

  private async apply(
    out: ReceiverOutput<SessionMessage, SlimName>,
    source: SlimName | undefined,
  ): Promise<void> {
    for (const r of out.rtx) {
      await this.host.transmit(
        appFrame(this.route(r.to, 1), MsgType.RTX_REQUEST, r.id, '', new Uint8Array()),
      );
    }
    if (out.lost > 0) this.host.lost(source ?? this.host.local, out.lost);
    for (const m of out.deliver) await this.host.deliver(m);
  }

  private async send(out: Outgoing<Message, SlimName>[]): Promise<void> {
    for (const o of out) {
      const f = copyFrame(o.frame);
      if (o.to) redirect(f, o.to, 1);
      await this.host.transmit(f);
    }
  }

  private route(destination: SlimName, fanout: number, metadata?: Record<string, string>): FrameRoute {
    return {
      source: this.host.local,
      destination,
      sessionType: this.host.sessionType,
      sessionId: this.host.id,
      fanout,
      metadata,
    };
  }
}

function pt(options: PublishOptions): string {
  return options.payloadType ?? DEFAULT_PAYLOAD_TYPE;
}

function toMessage(frame: Inbound, payload: Uint8Array, identity: string): SessionMessage {
  const metadata: Record<string, string> = { ...frame.metadata };
  delete metadata[META_PUBLISH_TO];
  return {
    payload,
    payloadType: frame.app?.payloadType ?? '',
    metadata,
    source: frame.source,
    identity,
    sessionId: frame.sessionId,
    messageId: frame.messageId,
  };
}
