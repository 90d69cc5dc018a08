// The seam between a SLIM app and the node it is attached to: one Link per app, as in the
// reference (every app process holds its own link). Implementations: the gRPC client link
// (grpc-link.ts, docs/dataplane.md) and in-process links to the embedded node.
// Session code sees only this interface.
import type { Message } from '../proto/index.js';
import type { SlimName } from './name.js';

export type LinkState = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closed';

export interface SubscribeOptions {
  /** Full name of the subscribing app (the frame's source). */
  source: SlimName;
  /** Identity token to put on the frame (optional: nodes do not check it). */
  identity?: string;
}

export interface Link {
  readonly state: LinkState;

  /**
   * Connects and negotiates the link. Resolves once frames can flow; rejects with a GatewayError
   * (UNREACHABLE, LINK_REFUSED, TIMEOUT, CANCELLED) and never hangs.
   */
  start(signal?: AbortSignal): Promise<void>;

  /**
   * Sends one Publish frame (the `publish` case of Message). The link clears the routing fields a
   * node sets (recv_from, forward_to, incoming_conn), fills version/ttl defaults, and adds the
   * header MAC. Waits while the outbound queue is full; rejects with LINK_CLOSED once closed.
   * While reconnecting, frames wait for the new link (bounded by the same queue). The caller's
   * frame is not modified. `signal` cuts the wait short; a default deadline applies.
   */
  publish(msg: Message, signal?: AbortSignal): Promise<void>;

  /**
   * Subscribes `name` (with its id) on the node and resolves on a successful SubscriptionAck.
   * The subscription is remembered and replayed after every reconnect. Subscribing a name this
   * link already holds counts a reference (one frame on the wire).
   */
  subscribe(name: SlimName, options: SubscribeOptions, signal?: AbortSignal): Promise<void>;

  /**
   * Removes a subscription made through this link (same name, same subscription id) once its last
   * reference goes. Unknown names are ignored.
   */
  unsubscribe(name: SlimName, options: SubscribeOptions, signal?: AbortSignal): Promise<void>;

  /**
   * Inbound Publish frames, already MAC-verified. Set once by the owner. Treat frames as read-only:
   * an in-process node may hand the same payload objects to several local receivers.
   */
  onmessage: ((msg: Message) => void) | undefined;

  /** State changes (e.g. 'reconnecting' then 'ready' after the node came back). */
  onstatechange: ((state: LinkState, error?: Error) => void) | undefined;

  /** Idempotent; rejects pending work with CLOSED and clears every timer. */
  close(): Promise<void>;

  /** Resolves once, when the link is closed for good; never rejects. */
  closed(): Promise<void>;
}
