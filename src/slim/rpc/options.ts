// Options shared by the SLIMRPC channel, multicast channel and server, with their defaults. The
// session settings default to the reference channel's (docs/slimrpc.md#sessions): MLS on,
// 1 s retransmission interval, 10 retries, empty session metadata; but a point-to-point channel's
// session goes without per-message acknowledgements unless asked (docs/deviations.md, SLIMRPC):
// on a TCP path a message is lost only with a link, and what is lost still fails its calls
// (link-watch.ts, sequence-watch.ts, server.ts). A group session stays acknowledged (the
// reference participant requires it, and a member's loss must be noticed per member).
import type { Logger } from '../../util/log.js';
import { DEFAULT_TIMEOUT_MS } from './frames.js';
import { DEFAULT_INBOX_LIMITS } from './inbox.js';
import type { InboxLimits } from './inbox.js';

export interface ChannelOptions {
  /** End-to-end encryption of the channel's session (default true). */
  mls?: boolean;
  /** Deadline for creating the session (default 15 s); each call's own deadline also bounds it. */
  setupTimeoutMs?: number;
  /** Deadline of calls made without `timeoutMs` (default 10 h, the reference's). */
  defaultTimeoutMs?: number;
  /**
   * Calls running at once on the channel's session (default 256); more wait their turn, within
   * their own deadline. A resource bound (each call holds a deadline timer and a receive buffer),
   * not a correctness one: the session's own flow control paces bursts (call-slots.ts).
   */
  maxConcurrentCalls?: number;
  /** Per-call buffer of received messages; a caller that falls further behind fails the call. */
  maxBufferedMessages?: number;
  maxBufferedBytes?: number;
  /**
   * Per-message acknowledgements and retransmission on a point-to-point channel's session
   * (default false; the reference channel's sessions have them). Group sessions always have them.
   */
  acknowledged?: boolean;
  /** Session metadata (sent on the join request; the reference channel sends none). */
  sessionMetadata?: Record<string, string>;
  logger?: Logger;
}

export interface ResolvedChannelOptions {
  mls: boolean;
  acknowledged: boolean;
  maxConcurrentCalls: number;
  setupTimeoutMs: number;
  defaultTimeoutMs: number;
  inbox: InboxLimits;
  sessionMetadata: Record<string, string>;
}

export const DEFAULT_SETUP_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_CONCURRENT_CALLS = 256;
/** The reference channel's session reliability settings. */
export const SESSION_INTERVAL_MS = 1000;
export const SESSION_MAX_RETRIES = 10;

export function resolveChannelOptions(o: ChannelOptions = {}): ResolvedChannelOptions {
  return {
    mls: o.mls ?? true,
    acknowledged: o.acknowledged ?? false,
    maxConcurrentCalls: Math.max(1, o.maxConcurrentCalls ?? DEFAULT_MAX_CONCURRENT_CALLS),
    setupTimeoutMs: o.setupTimeoutMs ?? DEFAULT_SETUP_TIMEOUT_MS,
    defaultTimeoutMs: o.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS,
    inbox: {
      maxMessages: o.maxBufferedMessages ?? DEFAULT_INBOX_LIMITS.maxMessages,
      maxBytes: o.maxBufferedBytes ?? DEFAULT_INBOX_LIMITS.maxBytes,
    },
    sessionMetadata: { ...(o.sessionMetadata ?? {}) },
  };
}

export const MSG_CHANNEL_CLOSED = 'channel closed';
export const MSG_NO_RESPONSE = 'No response received';
export const MSG_READER_BEHIND = 'response buffer full: the caller is not reading the stream';
