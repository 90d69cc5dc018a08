// One negotiated OpenChannel stream of a client link: connect (UNREACHABLE on failure), send the
// negotiation request, check the reply (LINK_REFUSED when the node refuses, ends the stream or
// does not answer in time), derive the header-MAC key, then carry frames. Outbound frames are
// signed here, inbound Publish frames verified here (docs/dataplane.md#link-negotiation,
// #header-mac). The owning GrpcLink decides what to do when a stream ends (reconnect); a LinkStream
// is never reused. After negotiation, the frames of one event-loop turn leave in one socket write
// (grpc-batch-writer.ts, docs/dataplane.md#grpc-service).
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../util/log.js';
import { GatewayError, describeError } from '../../util/errors.js';
import { decodeMessage, encodeMessage, LinkConnectionType } from '../proto/index.js';
import type { Message } from '../proto/index.js';
import { HeaderMac } from './header-mac.js';
import { deriveHeaderMacKey, generateLinkKeyPair } from './link-key.js';
import { AUTHORIZATION_HEADER } from './link-auth.js';
import type { LinkCredentials } from './link-auth.js';
import { checkNegotiationReply, negotiationRequest } from './negotiation.js';
import { deserializeFrame, serializeFrame, waitConnected } from './grpc-transport.js';
import { GrpcBatchWriter, clientCallStream } from './grpc-batch-writer.js';
import { OPEN_CHANNEL_PATH, SLIM_VERSION, STREAM_HIGH_WATER_FRAMES, headerOf } from './wire.js';

export interface LinkStreamParams {
  endpoint: string;
  target: string;
  credentials: grpc.ChannelCredentials;
  /** Asked for the `authorization` value before each connect. */
  auth?: LinkCredentials;
  channelOptions: grpc.ChannelOptions;
  nodeId: string;
  connectTimeoutMs: number;
  negotiationTimeoutMs: number;
  offerHeaderMac: boolean;
  requireHeaderMac: boolean;
  maxFrameBytes: number;
  logger: Logger;
}

type Call = grpc.ClientDuplexStream<Uint8Array, Buffer>;

export class LinkStream {
  /** Post-negotiation frames from the node (Publish already MAC-checked). */
  onframe: (msg: Message) => void = () => {};
  /** Called once when the stream is gone, with the reason. */
  onend: (err: GatewayError) => void = () => {};
  /** Called when a backpressured stream can take frames again. */
  ondrain: () => void = () => {};
  writable = true;
  private ended = false;
  macFailures = 0;
  /** Batched writes to the HTTP/2 stream; undefined when grpc-js hides it (then one write per frame). */
  private batch: GrpcBatchWriter | undefined;

  private constructor(
    private readonly client: grpc.Client,
    private readonly call: Call,
    readonly linkId: string,
    readonly nodeId: string,
    private readonly mac: HeaderMac | undefined,
    private readonly p: LinkStreamParams,
  ) {}

  get hasHeaderMac(): boolean {
    return this.mac !== undefined;
  }

  /** Whether frames leave in batched socket writes (false: through grpc-js, one by one). */
  get batched(): boolean {
    return this.batch !== undefined;
  }

  static async open(p: LinkStreamParams, signal: AbortSignal): Promise<LinkStream> {
    // Before connecting: a token that cannot be read fails the attempt without touching the node.
    const metadata = new grpc.Metadata();
    if (p.auth) metadata.set(AUTHORIZATION_HEADER, await p.auth.authorization());
    const client = new grpc.Client(p.target, p.credentials, p.channelOptions);
    try {
      await waitConnected(client, p.endpoint, p.connectTimeoutMs, signal);
    } catch (err) {
      client.close();
      throw err;
    }
    const call = client.makeBidiStreamRequest(
      OPEN_CHANNEL_PATH,
      serializeFrame,
      deserializeFrame,
      metadata,
      {},
    ) as Call;
    const linkId = randomUUID();
    const keys = p.offerHeaderMac ? generateLinkKeyPair() : undefined;
    try {
      const reply = await negotiate(call, p, linkId, keys?.publicKey, signal);
      const checked = checkNegotiationReply(reply, linkId, p.offerHeaderMac && p.requireHeaderMac);
      if (!checked.ok)
        throw new GatewayError('LINK_REFUSED', `SLIM node at ${p.endpoint}: ${checked.reason}`);
      let mac: HeaderMac | undefined;
      if (keys && checked.value.publicKey) {
        try {
          mac = new HeaderMac(deriveHeaderMacKey(keys, checked.value.publicKey, linkId), linkId);
        } catch (err) {
          throw new GatewayError('LINK_REFUSED', `SLIM node at ${p.endpoint}: ${describeError(err)}`, {
            cause: err,
          });
        }
      }
      const stream = new LinkStream(client, call, linkId, checked.value.nodeId, mac, p);
      if (!stream.listen()) {
        throw new GatewayError(
          'LINK_REFUSED',
          `SLIM node at ${p.endpoint} closed the link right after negotiation`,
        );
      }
      return stream;
    } catch (err) {
      call.removeAllListeners();
      call.on('error', () => {});
      call.cancel();
      client.close();
      throw err;
    }
  }

  /** Attaches the frame handlers; false if the stream already ended. */
  private listen(): boolean {
    const c = this.call;
    c.removeAllListeners();
    c.on('data', (buf: Buffer) => this.onData(buf));
    c.on('drain', () => {
      this.writable = true;
      this.ondrain();
    });
    c.on('error', (err: grpc.ServiceError) =>
      this.end(
        new GatewayError('LINK_CLOSED', `link to ${this.p.endpoint} failed: ${err.details || err.message}`, {
          cause: err,
        }),
      ),
    );
    c.on('end', () =>
      this.end(new GatewayError('LINK_CLOSED', `SLIM node at ${this.p.endpoint} ended the link`)),
    );
    c.on('close', () => this.end(new GatewayError('LINK_CLOSED', `link to ${this.p.endpoint} closed`)));
    c.resume();
    if (c.destroyed || c.readableEnded) return false;
    // The negotiation reply came back, so the call is committed to its HTTP/2 stream.
    const raw = clientCallStream(c);
    if (raw) {
      this.batch = new GrpcBatchWriter(
        raw,
        (unsent) => {
          if (this.ended || this.writable || unsent >= STREAM_HIGH_WATER_FRAMES) return;
          this.writable = true;
          this.ondrain();
        },
        (err) =>
          this.end(
            new GatewayError('LINK_CLOSED', `link to ${this.p.endpoint} failed: ${describeError(err)}`, {
              cause: err,
            }),
          ),
      );
    } else this.p.logger.debug({ linkId: this.linkId }, 'grpc-js stream not reachable: one write per frame');
    return true;
  }

  private onData(buf: Buffer): void {
    let msg: Message;
    try {
      msg = decodeMessage(buf);
    } catch (err) {
      this.p.logger.warn(
        { linkId: this.linkId, bytes: buf.length, err: describeError(err) },
        'dropping malformed frame from node',
      );
      return;
    }
    if (msg.messageType.case === 'publish' && this.mac) {
      const header = msg.messageType.value.header;
      if (!header || !this.mac.verify(header)) {
        this.macFailures++;
        this.p.logger.warn(
          { linkId: this.linkId, failures: this.macFailures },
          'dropping publish from node: SLIM header integrity verification failed',
        );
        return;
      }
    }
    this.onframe(msg);
  }

  /**
   * Signs (when a key was negotiated) and writes one Publish/Subscribe/Unsubscribe frame. Returns
   * false when the stream is backpressured (the frame is still taken; wait for ondrain). Throws
   * RESOURCE_EXHAUSTED, without writing, for a frame over the size limit.
   */
  write(msg: Message): boolean {
    if (this.ended) throw new GatewayError('LINK_CLOSED', 'link stream has ended');
    const header = headerOf(msg);
    if (header && this.mac) this.mac.sign(header);
    const bytes = encodeMessage(msg);
    if (bytes.length > this.p.maxFrameBytes) {
      throw new GatewayError(
        'RESOURCE_EXHAUSTED',
        `frame of ${bytes.length} bytes over the ${this.p.maxFrameBytes}-byte limit`,
      );
    }
    let ok: boolean;
    if (this.batch) ok = this.batch.write(bytes) < STREAM_HIGH_WATER_FRAMES;
    else {
      this.call.write(bytes);
      ok = this.call.writableLength < STREAM_HIGH_WATER_FRAMES;
    }
    if (!ok) this.writable = false; // 'drain' (or the batch's write callback) follows
    return ok;
  }

  private end(err: GatewayError): void {
    if (this.ended) return;
    this.ended = true;
    this.writable = false;
    this.release();
    this.onend(err);
  }

  private release(): void {
    this.batch?.discard();
    this.call.removeAllListeners();
    this.call.on('error', () => {});
    this.call.cancel();
    this.client.close();
  }

  /** Ends the stream from this side (no onend callback). */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.writable = false;
    this.release();
  }
}

function negotiate(
  call: Call,
  p: LinkStreamParams,
  linkId: string,
  publicKey: Uint8Array | undefined,
  signal: AbortSignal,
): Promise<Message> {
  return new Promise<Message>((resolve, reject) => {
    let settled = false;
    const settle = (err: GatewayError | undefined, msg?: Message) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      // Hold any frame that follows the reply until listen() attaches the frame handler.
      call.pause();
      call.removeAllListeners();
      call.on('error', () => {});
      if (err) reject(err);
      else resolve(msg!);
    };
    const refused = (why: string, cause?: unknown) =>
      settle(
        new GatewayError('LINK_REFUSED', `SLIM node at ${p.endpoint} refused the link: ${why}`, { cause }),
      );
    const timer = setTimeout(
      () => refused(`no negotiation reply within ${p.negotiationTimeoutMs} ms`),
      p.negotiationTimeoutMs,
    );
    const onAbort = () =>
      settle(new GatewayError('CANCELLED', 'link start cancelled', { cause: signal.reason }));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    call.on('data', (buf: Buffer) => {
      try {
        settle(undefined, decodeMessage(buf));
      } catch (err) {
        refused('malformed negotiation reply', err);
      }
    });
    call.on('error', (err: grpc.ServiceError) => {
      if (err.code === grpc.status.UNAUTHENTICATED || err.code === grpc.status.PERMISSION_DENIED) {
        const what = p.auth
          ? `refused our ${p.auth.scheme} credentials`
          : 'requires credentials (set slim.nodeAuth)';
        settle(
          new GatewayError(
            'AUTH',
            `SLIM node at ${p.endpoint} ${what}: ${grpc.status[err.code]}${err.details ? `: ${err.details}` : ''}`,
            { cause: err },
          ),
        );
      } else if (err.code === grpc.status.UNAVAILABLE) {
        settle(
          new GatewayError('UNREACHABLE', `SLIM node at ${p.endpoint} is unreachable: ${err.details}`, {
            cause: err,
          }),
        );
      } else refused(`stream failed (${grpc.status[err.code] ?? err.code}: ${err.details})`, err);
    });
    call.on('end', () => refused('stream ended without a negotiation reply'));
    call.write(serializeFrame(encodeNegotiation(linkId, publicKey, p.nodeId)));
  });
}

function encodeNegotiation(linkId: string, publicKey: Uint8Array | undefined, nodeId: string): Uint8Array {
  return encodeMessage(
    negotiationRequest({
      linkId,
      version: SLIM_VERSION,
      nodeId,
      connectionType: LinkConnectionType.EDGE,
      ...(publicKey ? { publicKey } : {}),
    }),
  );
}
