// The gRPC side of a link, shared by the client link and the node: the DataPlaneService
// definition with pass-through (de)serializers (frames stay bytes; our codec parses them), endpoint
// parsing, TLS credentials and the client channel options (docs/dataplane.md#grpc-service).
// TCP_NODELAY: grpc-js sets it on every client socket it opens (transport.js, setNoDelay()) and
// Node's HTTP/2 server sets it on accepted sockets; both measured with strace, see BENCHMARKS.md.
import * as grpc from '@grpc/grpc-js';
import { GatewayError } from '../../util/errors.js';
import { OPEN_CHANNEL_PATH } from './wire.js';

const toBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const asIs = (b: Buffer): Buffer => b;

export const dataPlaneService: grpc.ServiceDefinition = {
  OpenChannel: {
    path: OPEN_CHANNEL_PATH,
    requestStream: true,
    responseStream: true,
    requestSerialize: toBuffer,
    requestDeserialize: asIs,
    responseSerialize: toBuffer,
    responseDeserialize: asIs,
    originalName: 'openChannel',
  },
};

export const serializeFrame = toBuffer;
export const deserializeFrame = asIs;

/** TLS material for https:// endpoints, read by the caller (PEM bytes). */
export interface LinkTlsOptions {
  /** Trusted roots; the system roots when absent. */
  ca?: Uint8Array;
  /** Client certificate chain and key, for mTLS. */
  cert?: Uint8Array;
  key?: Uint8Array;
  /** Name to check in the node's certificate, when it differs from the endpoint host. */
  serverName?: string;
}

export interface ParsedEndpoint {
  /** host:port as grpc-js wants it. */
  target: string;
  secure: boolean;
}

/** Parses `http://host:port` or `https://host:port` (the reference's endpoint form). */
export function parseEndpoint(endpoint: string): ParsedEndpoint {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new GatewayError(
      'INVALID_ARGUMENT',
      `SLIM node endpoint "${endpoint}" is not a URL (http://host:port)`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new GatewayError(
      'INVALID_ARGUMENT',
      `SLIM node endpoint "${endpoint}": only http:// and https:// are supported`,
    );
  }
  if (url.port === '' || (url.pathname !== '/' && url.pathname !== '')) {
    throw new GatewayError('INVALID_ARGUMENT', `SLIM node endpoint "${endpoint}" must be scheme://host:port`);
  }
  return { target: `${url.hostname}:${url.port}`, secure: url.protocol === 'https:' };
}

export function clientCredentials(
  endpoint: ParsedEndpoint,
  tls: LinkTlsOptions | undefined,
): grpc.ChannelCredentials {
  if (!endpoint.secure) {
    if (tls?.cert || tls?.key || tls?.ca) {
      throw new GatewayError('INVALID_ARGUMENT', 'TLS options given for a plain http:// SLIM node endpoint');
    }
    return grpc.credentials.createInsecure();
  }
  if (Boolean(tls?.cert) !== Boolean(tls?.key)) {
    throw new GatewayError(
      'INVALID_ARGUMENT',
      'a client certificate needs its key, and a key its certificate',
    );
  }
  const b = (u: Uint8Array | undefined) => (u ? toBuffer(u) : null);
  return grpc.credentials.createSsl(b(tls?.ca), b(tls?.key), b(tls?.cert));
}

/** HTTP/2 receive window per link (connection and stream). */
export const FLOW_CONTROL_WINDOW_BYTES = 1024 * 1024;

export interface ChannelTuning {
  keepaliveTimeMs: number;
  keepaliveTimeoutMs: number;
  maxFrameBytes: number;
  serverName?: string;
  userAgent: string;
}

export function clientChannelOptions(t: ChannelTuning): grpc.ChannelOptions {
  const o: grpc.ChannelOptions = {
    // One HTTP/2 connection per link, as the reference: never share sockets between links.
    'grpc.use_local_subchannel_pool': 1,
    'grpc.keepalive_time_ms': t.keepaliveTimeMs,
    'grpc.keepalive_timeout_ms': t.keepaliveTimeoutMs,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.max_receive_message_length': t.maxFrameBytes,
    'grpc.primary_user_agent': t.userAgent,
    // The link reconnects itself (with its own backoff and re-negotiation); no grpc-js retries.
    'grpc.enable_retries': 0,
    // Measured: without an explicit window, grpc-js leaves Node's HTTP/2 connection window at its
    // start size and a flooding link stalls for tens to hundreds of ms at a time waiting for
    // WINDOW_UPDATEs (2.5k msg/s through our node); with it, 6.7k msg/s and no stalls.
    'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW_BYTES,
  };
  if (t.serverName) o['grpc.ssl_target_name_override'] = t.serverName;
  return o;
}

/**
 * Resolves when the client's channel is connected; rejects with UNREACHABLE as soon as the
 * connection attempt fails (refused, TLS failure) or when `timeoutMs` passes, CANCELLED on abort.
 */
export function waitConnected(
  client: grpc.Client,
  endpoint: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  const channel = client.getChannel();
  const deadline = Date.now() + timeoutMs;
  return new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (err?: GatewayError) => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    const onAbort = () =>
      finish(new GatewayError('CANCELLED', 'link start cancelled', { cause: signal.reason }));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    const check = () => {
      if (done) return;
      let state: grpc.connectivityState;
      try {
        state = channel.getConnectivityState(true);
      } catch (err) {
        return finish(
          new GatewayError('UNREACHABLE', `SLIM node at ${endpoint}: channel closed`, { cause: err }),
        );
      }
      if (state === grpc.connectivityState.READY) return finish();
      if (state === grpc.connectivityState.TRANSIENT_FAILURE) {
        return finish(
          new GatewayError('UNREACHABLE', `SLIM node at ${endpoint} is unreachable (connection failed)`),
        );
      }
      if (state === grpc.connectivityState.SHUTDOWN) {
        return finish(new GatewayError('UNREACHABLE', `SLIM node at ${endpoint}: channel shut down`));
      }
      channel.watchConnectivityState(state, deadline, (err?: Error) => {
        if (err) {
          finish(
            new GatewayError(
              'UNREACHABLE',
              `SLIM node at ${endpoint} is not reachable within ${timeoutMs} ms`,
            ),
          );
        } else check();
      });
    };
    check();
  });
}
