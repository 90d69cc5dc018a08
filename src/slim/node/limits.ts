// What one peer may make the node hold (docs/security.md, Node limits): every resource an outsider
// can open on the node's listener is bounded, and the peer that goes past a bound loses its own
// connection (or stream), with a log line; nobody else notices.
//   handshakeTimeoutMs            a TCP connection without a negotiated link this long is closed
//                                 (idle sockets, a bare HTTP/2 preface, a TLS handshake left open,
//                                 a refused login); counted again when its last link ends
//   maxConnections                TCP connections open at once; more are closed on accept
//   maxConnectionsPerAddress      the same, per remote IP address
//   maxStreamsPerConnection       concurrent OpenChannel streams on one connection (also announced
//                                 as HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS)
//   maxSubscriptionsPerConnection a link past it is closed
//   maxSubscriptions              subscriptions of all remote links together; past it a Subscribe
//                                 is refused (failed SubscriptionAck), the link stays
// In-process links (the gateway's own apps) are not counted: they are not outsiders.

export interface NodeLimits {
  readonly handshakeTimeoutMs: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerAddress: number;
  readonly maxStreamsPerConnection: number;
  readonly maxSubscriptionsPerConnection: number;
  readonly maxSubscriptions: number;
}

export const DEFAULT_NODE_LIMITS: NodeLimits = {
  handshakeTimeoutMs: 10_000,
  maxConnections: 1_024,
  maxConnectionsPerAddress: 128,
  maxStreamsPerConnection: 8,
  // A gateway link holds its app name plus two per group session: thousands of group sessions.
  // Measured: 20,000 subscriptions to random names hold about 37 MB of heap (1.8 KiB each), so the
  // total bounds the table to about 60 MB, one link to about 7.5 MB.
  maxSubscriptionsPerConnection: 4_096,
  maxSubscriptions: 32_768,
};
