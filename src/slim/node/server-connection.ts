// One client connection to the node: an OpenChannel stream (docs/dataplane.md#grpc-service,
// #link-negotiation, #header-mac). Sends response headers at once (the reference client waits for
// them), answers link negotiation within a deadline, verifies inbound header MACs and signs
// outbound ones with this link's key, and hands frames to the forwarder. A client that breaks the
// protocol (no negotiation, garbage, oversized or malformed frames) loses its own connection, with
// a log line saying why; nothing it sends can reach another connection's state.
// Outbound frames of one event-loop turn leave in one socket write (grpc-batch-writer.ts,
// docs/dataplane.md#grpc-service).
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../util/log.js';
import { describeError } from '../../util/errors.js';
import { encodeMessage, newMessage } from '../proto/index.js';
import { HeaderMac } from '../dataplane/header-mac.js';
import type { MacHeader } from '../dataplane/header-mac.js';
import { deriveHeaderMacKey, generateLinkKeyPair } from '../dataplane/link-key.js';
import { checkNegotiationRequest, negotiationReply } from '../dataplane/negotiation.js';
import { GrpcBatchWriter, serverCallStream } from '../dataplane/grpc-batch-writer.js';
import { SLIM_VERSION, STREAM_HIGH_WATER_FRAMES } from '../dataplane/wire.js';
import type { StreamSlot } from './connection-guard.js';
import type { Forwarder, IngestResult } from './forwarder.js';
import type { NodePeer } from './peer.js';
import { decodeInbound } from './publish-frame.js';
import type { HeaderView, PublishFrame } from './publish-frame.js';

export type ServerCall = grpc.ServerDuplexStream<Buffer, Uint8Array>;

export interface ConnectionPolicy {
  nodeId: string;
  negotiationTimeoutMs: number;
  maxFrameBytes: number;
  requireHeaderMac: boolean;
  /** How long a congested connection may hold up its senders before it is closed. */
  slowConsumerTimeoutMs: number;
}

export class ServerConnection implements NodePeer {
  readonly kind = 'remote' as const;
  readonly label: string;
  readonly wireId: bigint;
  private state: 'negotiating' | 'open' | 'closed' = 'negotiating';
  private mac: HeaderMac | undefined;
  private linkId = '';
  private negotiationTimer: NodeJS.Timeout | undefined;
  private drainWaiters: (() => void)[] = [];
  private slowTimer: NodeJS.Timeout | undefined;
  private macFailures = 0;
  private readonly log: Logger;
  /** Batched writes to the HTTP/2 stream; undefined when grpc-js hides it (then one write per frame). */
  private readonly batch: GrpcBatchWriter | undefined;

  constructor(
    readonly id: number,
    private readonly call: ServerCall,
    private readonly forwarder: Forwarder,
    private readonly policy: ConnectionPolicy,
    logger: Logger,
    private readonly onClosed: (conn: ServerConnection) => void,
    /** This stream's hold on its TCP connection (connection-guard.ts). */
    private readonly slot?: StreamSlot,
    /** Who authenticated the link, when the node requires it (for logs). */
    principal?: string,
  ) {
    this.label = call.getPeer();
    this.wireId = BigInt(id);
    this.log = logger.child({
      conn: id,
      peer: this.label,
      ...(principal !== undefined ? { principal } : {}),
    });
    call.on('data', (buf: Buffer) => {
      // Nothing a client sends may take the process down: a bug here costs this connection only.
      try {
        this.onData(buf);
      } catch (err) {
        this.close(`internal error handling a frame: ${describeError(err)}`);
      }
    });
    call.on('drain', () => this.onDrain());
    call.on('error', (err: Error) => this.gone(`stream error: ${describeError(err)}`));
    // Also what we see when grpc-js itself refuses a frame far over the size limit.
    call.on('cancelled', () =>
      this.gone('stream cancelled (by the client, or by gRPC for a frame far over the limit)'),
    );
    call.on('end', () => {
      this.batch?.flush(); // frames already written still go out before our end of the stream
      this.gone('ended by the client');
      this.call.end();
    });
    call.on('close', () => this.gone('stream closed'));
    // The reference client writes nothing before it has the response headers.
    call.sendMetadata(new grpc.Metadata());
    // Only after the headers: from here on frames may go to the HTTP/2 stream directly.
    const raw = serverCallStream(call);
    this.batch = raw
      ? new GrpcBatchWriter(
          raw,
          (unsent) => {
            if (unsent < STREAM_HIGH_WATER_FRAMES) this.onDrain();
          },
          (err) => this.close(`write failed: ${describeError(err)}`, grpc.status.UNAVAILABLE),
        )
      : undefined;
    this.negotiationTimer = setTimeout(
      () => this.close(`no link negotiation within ${policy.negotiationTimeoutMs} ms`),
      policy.negotiationTimeoutMs,
    );
  }

  private onData(buf: Buffer): void {
    if (this.state === 'closed') return;
    if (buf.length > this.policy.maxFrameBytes) {
      return this.close(`frame of ${buf.length} bytes over the ${this.policy.maxFrameBytes}-byte limit`);
    }
    let inbound;
    try {
      inbound = decodeInbound(buf);
    } catch (err) {
      return this.close(`malformed frame (${buf.length} bytes): ${describeError(err)}`);
    }
    if (this.state === 'negotiating') {
      if (inbound.kind !== 'other') return this.close('first frame is a publish, not a link negotiation');
      return this.negotiate(inbound.msg);
    }
    let result: IngestResult;
    if (inbound.kind === 'publish') {
      if (!this.verify(inbound.frame.header, inbound.frame)) return;
      result = this.forwarder.publish(this, inbound.frame);
    } else {
      const msg = inbound.msg;
      switch (msg.messageType.case) {
        case 'subscribe':
        case 'unsubscribe': {
          const h = msg.messageType.value.header;
          // Sub/Unsub are checked only when tagged, as the reference does (not strict).
          if (h?.headerMac !== undefined && h.headerMac.length > 0 && !this.verify(h)) return;
          result = this.forwarder.subscription(this, msg);
          break;
        }
        case 'link':
        case 'subscriptionAck':
          this.log.debug({ type: msg.messageType.case }, 'ignoring frame after negotiation');
          return;
        default:
          return this.close('frame with no known message type');
      }
    }
    if (!result) return;
    if ('violation' in result)
      return this.close(
        result.violation,
        result.overLimit ? grpc.status.RESOURCE_EXHAUSTED : grpc.status.INVALID_ARGUMENT,
      );
    // Backpressure: stop reading from this client until the congested receivers drain.
    this.call.pause();
    void result.congested.then(() => {
      if (this.state !== 'closed') this.call.resume();
    });
  }

  /** MAC check of an inbound header; drops (false) and logs on failure. */
  private verify(header: MacHeader | undefined, frame?: PublishFrame): boolean {
    if (!header) return true; // structure is checked by the forwarder
    const tagged = header.headerMac !== undefined && header.headerMac.length > 0;
    let why: string | undefined;
    if (this.mac) {
      if (!this.mac.verify(header, frame?.macBody()))
        why = tagged ? 'SLIM header integrity verification failed' : 'missing header MAC';
    } else if (tagged) {
      why = 'header MAC on a link without a negotiated key';
    }
    if (!why) return true;
    this.macFailures++;
    const level = this.macFailures === 1 ? 'warn' : 'debug';
    this.log[level]({ failures: this.macFailures }, `dropping frame: ${why}`);
    return false;
  }

  private negotiate(msg: Parameters<typeof checkNegotiationRequest>[0]): void {
    const checked = checkNegotiationRequest(msg, this.policy.requireHeaderMac);
    if (!checked.ok) return this.close(`link negotiation refused: ${checked.reason}`);
    const req = checked.value;
    let publicKey: Uint8Array | undefined;
    if (req.publicKey) {
      const keys = generateLinkKeyPair();
      try {
        this.mac = new HeaderMac(deriveHeaderMacKey(keys, req.publicKey, req.linkId), req.linkId);
      } catch (err) {
        return this.close(`link negotiation refused: ${describeError(err)}`);
      }
      publicKey = keys.publicKey;
    }
    clearTimeout(this.negotiationTimer);
    this.linkId = req.linkId;
    this.write(
      encodeMessage(
        negotiationReply({
          linkId: req.linkId,
          version: SLIM_VERSION,
          nodeId: this.policy.nodeId,
          connectionType: req.connectionType,
          ...(publicKey ? { publicKey } : {}),
        }),
      ),
    );
    this.state = 'open';
    this.slot?.negotiated();
    this.forwarder.attach(this);
    this.log.info(
      { linkId: req.linkId, version: req.version, remoteNode: req.nodeId, headerMac: this.mac !== undefined },
      'link negotiated',
    );
  }

  sendPublish(frame: PublishFrame, header: HeaderView): boolean {
    if (this.state !== 'open') return true;
    if (this.mac) this.mac.sign(header, frame.macBody());
    else header.headerMac = undefined;
    return this.write(frame.toBytes(header));
  }

  sendAck(subscriptionId: bigint, error: string | undefined): void {
    if (this.state !== 'open') return;
    this.write(
      encodeMessage(
        newMessage({
          messageType: {
            case: 'subscriptionAck',
            value: { subscriptionId, success: error === undefined, error: error ?? '' },
          },
        }),
      ),
    );
  }

  /** Whether frames leave in batched socket writes (false: through grpc-js, one by one). */
  get batched(): boolean {
    return this.batch !== undefined;
  }

  private write(bytes: Uint8Array): boolean {
    let ok: boolean;
    if (this.batch) ok = this.batch.write(bytes) < STREAM_HIGH_WATER_FRAMES;
    else {
      this.call.write(bytes);
      ok = this.call.writableLength < STREAM_HIGH_WATER_FRAMES; // 'drain' follows when empty
    }
    if (!ok && !this.slowTimer) {
      this.slowTimer = setTimeout(
        () => this.close(`slow consumer: not reading for ${this.policy.slowConsumerTimeoutMs} ms`),
        this.policy.slowConsumerTimeoutMs,
      );
    }
    return ok;
  }

  private onDrain(): void {
    if (!this.slowTimer) return;
    clearTimeout(this.slowTimer);
    this.slowTimer = undefined;
    for (const w of this.drainWaiters.splice(0)) w();
  }

  drained(): Promise<void> {
    if (this.state === 'closed' || !this.slowTimer) return Promise.resolve();
    return new Promise((r) => this.drainWaiters.push(r));
  }

  /** Ends the stream with a status naming `reason` (logged as a warning). */
  close(reason: string, code: grpc.status = grpc.status.INVALID_ARGUMENT): void {
    if (this.state === 'closed') return;
    this.log.warn({ linkId: this.linkId || undefined }, `closing connection: ${reason}`);
    this.batch?.flush(); // what was written before the close goes out before the status
    if (this.isClosed()) return; // the flush found the stream gone (and closed us)
    this.finish();
    try {
      this.call.emit('error', { code, details: reason });
    } catch {
      // already ended
    }
  }

  /** Ends the stream cleanly (node shutdown). */
  shutdown(): void {
    if (this.state === 'closed') return;
    this.batch?.flush();
    if (this.isClosed()) return;
    this.finish();
    this.call.end();
  }

  /** A method, not a field read: a flush may close this connection behind the compiler's back. */
  private isClosed(): boolean {
    return this.state === 'closed';
  }

  private gone(why: string): void {
    if (this.state === 'closed') return;
    this.log.info({ linkId: this.linkId || undefined }, `connection gone: ${why}`);
    this.finish();
  }

  private finish(): void {
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    this.batch?.discard();
    clearTimeout(this.negotiationTimer);
    clearTimeout(this.slowTimer);
    this.slowTimer = undefined;
    for (const w of this.drainWaiters.splice(0)) w();
    if (wasOpen) this.forwarder.detach(this.id);
    this.slot?.release();
    this.onClosed(this);
  }
}
