// Public surface of the session layer (spec/slim-session-mls.md): a SLIM app with a name creates
// sessions to other names and accepts incoming ones; a session carries opaque payloads with a
// payload type and metadata, point-to-point or to a group, MLS-encrypted when configured. Upper
// layers (SLIMRPC) see only these types, never frames, timers or MLS state.
import type { LinkState } from '../dataplane/link.js';
import type { SlimName } from '../dataplane/name.js';

export type SessionKind = 'p2p' | 'group';

export interface SessionOptions {
  kind: SessionKind;
  /** End-to-end encryption with MLS (default true). */
  mls?: boolean;
  /**
   * Data reliability (MSG_ACK and retransmission, in order, no duplicates). Default true. Control
   * messages are always retried, with the same interval and retry count.
   */
  reliable?: boolean;
  /** Retransmission interval (default 1000 ms, the reference default). */
  intervalMs?: number;
  /** Retransmissions before a peer is given up (default 10). */
  maxRetries?: number;
  /**
   * Flow control of a reliable session: data messages that may be unacknowledged at once before
   * publish() waits (default 128, at most 512). Local behaviour only; nothing on the wire changes.
   */
  sendWindow?: number;
  /** Session metadata carried on the JOIN_REQUEST. */
  metadata?: Record<string, string>;
  /** Deadline for setting the session up (discovery, join, welcome); default 15 s. */
  setupTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface PublishOptions {
  /** Default "msg". */
  payloadType?: string;
  /** Per-message metadata (travels in clear in the frame, never encrypted). */
  metadata?: Record<string, string>;
  /**
   * Ends the wait for room in the send window (a reliable session's publish waits while too many
   * messages are unacknowledged). Without one the wait is bounded by a default deadline (60 s,
   * TIMEOUT). Once the message is handed to the session it is sent whatever happens to `signal`.
   */
  signal?: AbortSignal;
}

export interface SessionMessage {
  readonly payload: Uint8Array;
  readonly payloadType: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** Sender's full name (with its instance id). */
  readonly source: SlimName;
  /**
   * The sender's verified identity (peer-identity.ts: its claimed name with a shared secret, its
   * JWT subject otherwise), bound to `source` by its token or its MLS credential.
   */
  readonly identity: string;
  readonly sessionId: number;
  readonly messageId: number;
}

export type ParticipantEvent =
  | { type: 'joined'; name: SlimName }
  | { type: 'left'; name: SlimName }
  | { type: 'offline'; name: SlimName }
  | { type: 'online'; name: SlimName }
  /**
   * Data messages from `name` were given up (their retransmissions ran out): later ones are
   * delivered without them. What waited on them will not get them.
   */
  | { type: 'lost'; name: SlimName; count: number };

export interface SessionCloseInfo {
  /** 'local' (closed here), 'remote' (peer or moderator closed it), 'error' (gave up). */
  reason: 'local' | 'remote' | 'error';
  error?: Error;
}

export interface Session {
  readonly id: number;
  readonly kind: SessionKind;
  readonly mls: boolean;
  readonly reliable: boolean;
  /** True for the initiator (always the moderator). */
  readonly isModerator: boolean;
  /** This app's full name. */
  readonly local: SlimName;
  /** The peer's full name (p2p) or the group channel name (group). */
  readonly destination: SlimName;
  /** Session metadata from the JOIN_REQUEST. */
  readonly metadata: Readonly<Record<string, string>>;

  /** Participant side: the verified identity of the app that invited this one (its JOIN_REQUEST). */
  readonly peerIdentity: string | undefined;

  /**
   * Sends to the peer (p2p) or to every member (group). Resolves once handed to the link; on a
   * reliable session it first waits for room in the send window (backpressure), in call order.
   */
  publish(payload: Uint8Array, options?: PublishOptions): Promise<void>;

  /** Sends to one member only (the reference's publish_to; a plain publish in p2p). */
  publishTo(target: SlimName, payload: Uint8Array, options?: PublishOptions): Promise<void>;

  /**
   * Received data messages, in order per sender. One consumer; ends when the session closes
   * (the iterator then returns, or throws the close error if it closed with one).
   */
  messages(): AsyncIterable<SessionMessage>;

  /** Moderator only: invites a name (NULL id: any instance) and resolves once it has joined. */
  invite(name: SlimName, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<SlimName>;

  /** Moderator only: removes a member; it can no longer read what is sent afterwards. */
  remove(name: SlimName): Promise<void>;

  /** Current members with their full names (this app included). */
  participants(): SlimName[];

  /** Subscribes to membership changes; returns the unsubscribe function. */
  onParticipant(listener: (event: ParticipantEvent) => void): () => void;

  /** Closes the session (moderator: closes it for everyone; participant: leaves). Idempotent. */
  close(): Promise<void>;

  /** Resolves once, when the session is gone; never rejects. */
  closed(): Promise<SessionCloseInfo>;
}

export interface IncomingSessionRequest {
  readonly source: SlimName;
  /** The inviter's verified identity (see SessionMessage.identity). */
  readonly identity: string;
  readonly kind: SessionKind;
  readonly mls: boolean;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface SlimApp {
  /** This app's full name (its id derives from the identity token id). */
  readonly name: SlimName;

  /** Creates a session to `destination` (p2p: a name, any instance; group: a channel name). */
  createSession(destination: SlimName, options: SessionOptions): Promise<Session>;

  /** Incoming sessions that passed the accept policy, as they are established. One consumer. */
  incoming(): AsyncIterable<Session>;

  /**
   * The link to the node: 'ready' while frames flow; 'reconnecting' while they wait for the node
   * to come back. Absent on apps that have no link (always reachable).
   */
  readonly linkState?: LinkState;

  /** Hears every link state change; returns the unsubscribe function. */
  onLinkState?(listener: (state: LinkState) => void): () => void;

  /**
   * Idempotent: closes every session (goodbyes bounded, see GOODBYE_TIMEOUT_MS), unsubscribes,
   * and releases the link.
   */
  close(): Promise<void>;
  closed(): Promise<void>;
}

/** Decides whether an incoming session is joined at all (e.g. "MLS required"). */
export type AcceptPolicy = (request: IncomingSessionRequest) => boolean;
