// Numbers and metadata keys of the reference session layer (docs/sessions-mls.md,
// agntcy/slim crates/session and crates/proto impls.rs). Wire-visible values must not change.

/** Control retransmission interval when a session sets none (the reference's default). */
export const DEFAULT_INTERVAL_MS = 1000;
/** Control retransmissions before giving up when a session sets none. */
export const DEFAULT_MAX_RETRIES = 10;
/** Heartbeat period (HEARTBEAT_INTERVAL). */
export const HEARTBEAT_INTERVAL_MS = 10_000;
/** Heartbeat ticks without hearing from a member before it is offline (MAX_MISSED_HEARTBEATS). */
export const MAX_MISSED_HEARTBEATS = 3;
/** Sender-side retransmission ring (ProducerBuffer capacity). */
export const SENDER_BUFFER_SIZE = 512;
/**
 * Data messages a reliable session may have unacknowledged at once before publishes wait (our
 * flow control, send-window.ts; not a wire value). At most SENDER_BUFFER_SIZE, so that every
 * unacknowledged message can still answer an RTX_REQUEST.
 */
export const DEFAULT_SEND_WINDOW = 128;
/** How long a publish waits for room in the send window when the caller gives no signal. */
export const DEFAULT_PUBLISH_TIMEOUT_MS = 60_000;
/** Data message ids wrap after this value; publish_to ids are drawn above it. */
export const MAX_PUBLISH_ID = 0x7fff_ffff;
/** Session ids are drawn from [0, SESSION_ID_LIMIT) (SESSION_RANGE). */
export const SESSION_ID_LIMIT = 0xffff_ffff - 1000;
/** Fanout of group-channel traffic; 1 for everything else. */
export const GROUP_FANOUT = 256;
/** HEARTBEAT epoch when the session has no MLS. */
export const NO_MLS_EPOCH = 0xffff_ffff_ffff_ffffn;
/** Control message ids remembered per sender for the replay check. */
export const REPLAY_IDS_PER_SENDER = 1000;
/** Senders remembered by the replay check. */
export const REPLAY_SENDERS = 100;
/** Default deadline for setting a session up (discovery, join, welcome). */
export const DEFAULT_SETUP_TIMEOUT_MS = 15_000;
/**
 * How long closing waits for its goodbye (GROUP_CLOSE, LEAVE_REQUEST) to be acknowledged, and
 * for the link to take it (local behaviour: the reference retries it for its whole retry budget).
 */
export const GOODBYE_TIMEOUT_MS = 1000;
/** Default payload type of application messages. */
export const DEFAULT_PAYLOAD_TYPE = 'msg';

/** Reserved Message.metadata keys (value TRUE_VAL). */
export const META_PUBLISH_TO = 'PUBLISH_TO';
export const META_LEAVING_SESSION = 'LEAVING_SESSION';
export const META_DELETE_GROUP = 'DELETE_GROUP';
export const META_LEAVE_REPLY_SENT = 'LEAVE_REPLY_SENT';
export const TRUE_VAL = 'TRUE';
/**
 * Ours only: on the GROUP_NACK an invitee answers a JOIN_REQUEST it refuses (its access rules),
 * the reason. Our moderator fails the invitation at once; the reference's ignores the NACK (an
 * unexpected type for it) and times out as for silence.
 */
export const META_JOIN_REFUSED = 'JOIN_REFUSED';
/**
 * Ours only: the refusals an app answers to DISCOVERY_REQUESTs whose identity it does not accept
 * (pre-session.ts), bounded so that nobody can use us to send frames (state/refusal-limit.ts): a token
 * bucket over all sources (REFUSALS_PER_SECOND, burst REFUSAL_BURST) and one per claimed source
 * name (REFUSALS_PER_SOURCE_PER_SECOND, burst REFUSAL_SOURCE_BURST), for the last REFUSAL_SOURCES
 * names. A request over either budget is dropped unanswered, as the reference always does.
 */
export const REFUSALS_PER_SECOND = 10;
export const REFUSAL_BURST = 20;
export const REFUSALS_PER_SOURCE_PER_SECOND = 0.5;
export const REFUSAL_SOURCE_BURST = 3;
export const REFUSAL_SOURCES = 1024;
