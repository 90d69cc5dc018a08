// A connection as the node's forwarder sees it, whatever carries it (a gRPC stream or an
// in-process link). The forwarder routes; each peer applies its own link's rules on the way out
// (header MAC for gRPC links, none in process) and reports congestion so senders can wait.
import type { ConnectionKind } from './routing-table.js';
import type { HeaderView, PublishFrame } from './publish-frame.js';

export interface NodePeer {
  readonly id: number;
  /** `id` as the u64 the node writes into incoming_conn. */
  readonly wireId: bigint;
  readonly kind: ConnectionKind;
  /** For logs: the remote address, or "in-process". */
  readonly label: string;
  /**
   * Sends a routed publish with `header` (a scratch object the peer may change, e.g. sign).
   * Returns false when the peer is congested; the frame is still taken.
   */
  sendPublish(frame: PublishFrame, header: HeaderView): boolean;
  /** Answers a Subscribe/Unsubscribe that carried a non-zero id. */
  sendAck(subscriptionId: bigint, error: string | undefined): void;
  /** Resolves when the peer can take frames again (or is gone). */
  drained(): Promise<void>;
  /** Closes the connection, logging `reason`. */
  close(reason: string): void;
}
