// The options of the gRPC client link (grpc-link.ts) and their defaults, resolved once into what
// the link and each LinkStream use: the gRPC target and credentials, keepalive and frame limits,
// the negotiation settings (EDGE link, X25519 key offered and required by default, as the
// reference) and the deadlines. Every deadline has a default, so no wait of the link is unbounded.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../util/log.js';
import { DEFAULT_BACKOFF } from './backoff.js';
import type { BackoffPolicy } from './backoff.js';
import { clientChannelOptions, clientCredentials, parseEndpoint } from './grpc-transport.js';
import type { LinkTlsOptions } from './grpc-transport.js';
import type { LinkCredentials } from './link-auth.js';
import type { LinkStreamParams } from './link-stream.js';
import { DEFAULT_MAX_FRAME_BYTES } from './wire.js';

export interface GrpcLinkOptions {
  /** http://host:port or https://host:port */
  endpoint: string;
  tls?: LinkTlsOptions;
  /** Credentials presented to the node on every connect (docs/security.md); none by default. */
  auth?: LinkCredentials;
  logger?: Logger;
  /** UNREACHABLE after this long without a connection (default 5 s). */
  connectTimeoutMs?: number;
  /** LINK_REFUSED when the node does not answer negotiation in time (default 5 s, as the reference). */
  negotiationTimeoutMs?: number;
  /** Deadline for a SubscriptionAck (default 10 s, the reference app's wait). */
  ackTimeoutMs?: number;
  /** Default deadline for a publish waiting for room or for the link (default 30 s). */
  publishTimeoutMs?: number;
  /** Frames that may wait for the link before publishers wait (default 1024). */
  queueCapacity?: number;
  /** Offer an X25519 key so the link carries header MACs (default true). */
  offerHeaderMac?: boolean;
  /** Refuse a node that does not return a key when one was offered (default true, as the reference). */
  requireHeaderMac?: boolean;
  backoff?: Partial<BackoffPolicy>;
  keepaliveTimeMs?: number;
  keepaliveTimeoutMs?: number;
  maxFrameBytes?: number;
  random?: () => number;
}

export interface ResolvedLinkOptions {
  readonly params: LinkStreamParams;
  readonly ackTimeoutMs: number;
  readonly publishTimeoutMs: number;
  readonly backoff: BackoffPolicy;
  readonly random: () => number;
  readonly queueCapacity: number;
}

/** The options with their defaults; `log` is the link's logger, handed to each stream. */
export function resolveLinkOptions(options: GrpcLinkOptions, log: Logger): ResolvedLinkOptions {
  const endpoint = parseEndpoint(options.endpoint);
  // As the reference: allowed, but anyone on the path can read a password or token sent in clear.
  if (options.auth && !endpoint.secure)
    log.warn({ scheme: options.auth.scheme }, 'node credentials go over plain http://: use https://');
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  return {
    params: {
      endpoint: options.endpoint,
      target: endpoint.target,
      credentials: clientCredentials(endpoint, options.tls),
      ...(options.auth ? { auth: options.auth } : {}),
      channelOptions: clientChannelOptions({
        keepaliveTimeMs: options.keepaliveTimeMs ?? 30_000,
        keepaliveTimeoutMs: options.keepaliveTimeoutMs ?? 10_000,
        maxFrameBytes,
        userAgent: 'slim-gateway',
        ...(options.tls?.serverName ? { serverName: options.tls.serverName } : {}),
      }),
      nodeId: `node-${randomUUID()}`,
      connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
      negotiationTimeoutMs: options.negotiationTimeoutMs ?? 5_000,
      offerHeaderMac: options.offerHeaderMac ?? true,
      requireHeaderMac: options.requireHeaderMac ?? true,
      maxFrameBytes,
      logger: log,
    },
    ackTimeoutMs: options.ackTimeoutMs ?? 10_000,
    publishTimeoutMs: options.publishTimeoutMs ?? 30_000,
    backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
    random: options.random ?? Math.random,
    queueCapacity: options.queueCapacity ?? 1024,
  };
}
