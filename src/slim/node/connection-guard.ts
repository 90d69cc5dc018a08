// The node's TCP front door (docs/security.md, Node limits): the node accepts sockets itself and
// hands them to gRPC (grpc-js connection injection), so it can count and cut them. A socket over
// the total or per-address cap is closed on accept; a socket that has not carried a negotiated
// link within the handshake deadline is closed (idle sockets, a bare HTTP/2 preface, a stalled
// TLS handshake, a refused login), and the deadline runs again when its last link ends; a socket
// may carry at most maxStreamsPerConnection OpenChannel streams at once. A connection whose
// credentials were refused takes no more streams and is closed shortly after (time for the
// refusal to reach the client): guessing passwords costs a connection per guess. Each cut is logged.
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { Logger } from '../../util/log.js';
import { GatewayError } from '../../util/errors.js';
import type { NodeLimits } from './limits.js';

/** After refused credentials, how long the connection stays for the refusal to reach its client. */
export const REFUSED_CONNECTION_GRACE_MS = 1_000;

/** One OpenChannel stream's hold on its connection. */
export interface StreamSlot {
  /** The stream negotiated a link: its connection is in use. */
  negotiated(): void;
  /** The stream's credentials were refused: the connection takes no more streams and goes soon. */
  refusedCredentials(): void;
  /** The stream is gone (idempotent). */
  release(): void;
}

interface Tracked {
  readonly socket: Socket;
  readonly peer: string;
  readonly address: string;
  streams: number;
  links: number;
  timer: NodeJS.Timeout | undefined;
  refusedCredentials: boolean;
}

/** The peer string grpc-js reports for a call on this socket (ServerCall.getPeer()). */
const peerOf = (socket: Socket): string => `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`;

const NO_SLOT: StreamSlot = { negotiated() {}, refusedCredentials() {}, release() {} };

/** Why a stream is refused: a limit, or credentials already refused on its connection. */
export interface StreamRefusal {
  readonly refused: string;
  readonly reason: 'limit' | 'credentials';
}

export class ConnectionGuard {
  private readonly server: Server;
  private readonly connections = new Map<string, Tracked>();
  private readonly perAddress = new Map<string, number>();
  private closed = false;
  private unknownPeerLogged = false;

  constructor(
    private readonly limits: NodeLimits,
    private readonly log: Logger,
    private readonly hand: (socket: Socket) => void,
  ) {
    this.server = createServer({ noDelay: true }, (socket) => this.accept(socket));
  }

  /** Listens on host:port; resolves with the bound port. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) =>
        reject(
          new GatewayError('UNAVAILABLE', `cannot listen on ${host}:${port}: ${err.message}`, { cause: err }),
        );
      this.server.once('error', onError);
      this.server.listen({ host: host.replace(/^\[(.*)\]$/, '$1'), port }, () => {
        this.server.off('error', onError);
        const addr = this.server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  private accept(socket: Socket): void {
    // Errors on a socket we are about to drop, or one gRPC owns, must not reach the process.
    socket.on('error', () => {});
    const peer = peerOf(socket);
    const address = socket.remoteAddress ?? 'unknown';
    const refuse = (why: string, limit: number) => {
      this.log.warn({ peer, limit }, `refusing connection: ${why}`);
      socket.destroy();
    };
    if (this.closed) return void socket.destroy();
    if (this.connections.size >= this.limits.maxConnections)
      return refuse('the node holds its maximum of connections', this.limits.maxConnections);
    const fromAddress = this.perAddress.get(address) ?? 0;
    if (fromAddress >= this.limits.maxConnectionsPerAddress)
      return refuse(`${address} holds its maximum of connections`, this.limits.maxConnectionsPerAddress);
    const t: Tracked = {
      socket,
      peer,
      address,
      streams: 0,
      links: 0,
      timer: undefined,
      refusedCredentials: false,
    };
    this.connections.set(peer, t);
    this.perAddress.set(address, fromAddress + 1);
    socket.once('close', () => this.forget(t));
    this.arm(t);
    this.hand(socket);
  }

  private arm(
    t: Tracked,
    ms = this.limits.handshakeTimeoutMs,
    why = `no negotiated link within ${ms} ms`,
  ): void {
    clearTimeout(t.timer);
    t.timer = setTimeout(() => {
      this.log.warn({ peer: t.peer, streams: t.streams }, `closing connection: ${why}`);
      t.socket.destroy();
    }, ms);
  }

  private forget(t: Tracked): void {
    clearTimeout(t.timer);
    if (this.connections.get(t.peer) !== t) return;
    this.connections.delete(t.peer);
    const n = (this.perAddress.get(t.address) ?? 1) - 1;
    if (n > 0) this.perAddress.set(t.address, n);
    else this.perAddress.delete(t.address);
  }

  /**
   * A new OpenChannel stream from `peer`: its slot, or why it is refused (the connection already
   * carries its maximum of streams).
   */
  openStream(peer: string): StreamSlot | StreamRefusal {
    const t = this.connections.get(peer);
    if (!t) {
      // Every stream comes over a socket we accepted; if gRPC ever names its peer otherwise, say so
      // (once) rather than refuse: the stream then escapes the per-connection bounds.
      if (!this.unknownPeerLogged) this.log.warn({ peer }, 'stream from a connection the node does not know');
      this.unknownPeerLogged = true;
      return NO_SLOT;
    }
    if (t.refusedCredentials)
      return { refused: 'credentials were already refused on this connection', reason: 'credentials' };
    if (t.streams >= this.limits.maxStreamsPerConnection)
      return {
        refused: `the connection already carries ${this.limits.maxStreamsPerConnection} streams`,
        reason: 'limit',
      };
    t.streams++;
    let state: 'open' | 'linked' | 'released' = 'open';
    return {
      negotiated: () => {
        if (state !== 'open') return;
        state = 'linked';
        t.links++;
        clearTimeout(t.timer);
        t.timer = undefined;
      },
      refusedCredentials: () => {
        if (t.refusedCredentials || this.connections.get(peer) !== t) return;
        t.refusedCredentials = true;
        // Its links, if any, authenticated; only a connection that never linked is cut.
        if (t.links === 0) {
          const ms = Math.min(REFUSED_CONNECTION_GRACE_MS, this.limits.handshakeTimeoutMs);
          this.arm(t, ms, 'credentials refused');
        }
      },
      release: () => {
        if (state === 'released') return;
        const wasLinked = state === 'linked';
        state = 'released';
        t.streams--;
        if (wasLinked) t.links--;
        if (t.links === 0 && this.connections.get(peer) === t && !t.timer && !t.refusedCredentials)
          this.arm(t);
      },
    };
  }

  /** Stops accepting and closes every socket still open. */
  close(): Promise<void> {
    this.closed = true;
    for (const t of this.connections.values()) {
      clearTimeout(t.timer);
      t.socket.destroy();
    }
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
