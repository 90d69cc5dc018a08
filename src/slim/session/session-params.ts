// The parameters a new session starts with (docs/sessions-mls.md#point-to-point-sessions,
// #group-sessions): a moderator's from the caller's SessionOptions, a participant's from the
// JOIN_REQUEST that invites it (its timer settings decide reliability and retries, its MLS settings
// the header-check share), and the send window, clamped so every unacknowledged message stays
// resendable; a fresh session id and a group's channel names (derived from our token id, as the
// reference). Pure but for the random id.
import { randomInt } from 'node:crypto';
import { groupChannelIds, withId } from '../dataplane/name.js';
import type { SlimName } from '../dataplane/name.js';
import { GatewayError } from '../../util/errors.js';
import {
  DEFAULT_INTERVAL_MS,
  DEFAULT_MAX_RETRIES,
  DEFAULT_SEND_WINDOW,
  DEFAULT_SETUP_TIMEOUT_MS,
  SENDER_BUFFER_SIZE,
  SESSION_ID_LIMIT,
} from './constants.js';
import type { CommandOf, Inbound } from './frames.js';
import type { SessionParams } from './session.js';
import type { SessionKind, SessionOptions } from './types.js';

/** A send window within [1, SENDER_BUFFER_SIZE] (every unacknowledged message must stay resendable). */
export function sendWindow(requested: number | undefined): number {
  const w = Math.floor(requested ?? DEFAULT_SEND_WINDOW);
  if (!(w >= 1)) throw new GatewayError('INVALID_ARGUMENT', 'sendWindow must be at least 1');
  return Math.min(w, SENDER_BUFFER_SIZE);
}

/** A session we create (as its moderator); `appSendWindow` is the app's default. */
export function moderatorParams(
  id: number,
  options: SessionOptions,
  mls: boolean,
  appSendWindow: number | undefined,
): SessionParams {
  const kind = options.kind;
  return {
    id,
    kind,
    mls,
    reliable: kind === 'group' ? true : (options.reliable ?? true),
    policy: {
      intervalMs: options.intervalMs ?? DEFAULT_INTERVAL_MS,
      maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
    },
    sendWindow: sendWindow(options.sendWindow ?? appSendWindow),
    headerCheckPercent: 100,
    metadata: { ...(options.metadata ?? {}) },
    isModerator: true,
  };
}

/** A session we are invited to by `frame`, a JOIN_REQUEST carrying `join`. */
export function participantParams(
  frame: Inbound,
  join: CommandOf<'joinRequest'>,
  kind: SessionKind,
  mls: boolean,
  appSendWindow: number | undefined,
): SessionParams {
  const ts = join.timerSettings;
  return {
    id: frame.sessionId,
    kind,
    mls,
    reliable: ts !== undefined,
    policy: {
      intervalMs: ts?.timeout || DEFAULT_INTERVAL_MS,
      maxRetries: ts?.maxRetries ?? DEFAULT_MAX_RETRIES,
    },
    sendWindow: sendWindow(appSendWindow),
    headerCheckPercent: Math.min(100, join.mlsSettings?.headerIntegrityValidationPercent ?? 100),
    metadata: { ...frame.metadata },
    isModerator: false,
  };
}

/** How long an invited session may take to receive its welcome: the setup timeout, or longer. */
export function acceptTimeoutMs(params: SessionParams): number {
  const budget = (params.policy.maxRetries + 1) * params.policy.intervalMs;
  return Math.max(DEFAULT_SETUP_TIMEOUT_MS, 2 * budget);
}

/** A random session id below SESSION_ID_LIMIT that neither a live nor an ended session has. */
export function newSessionId(
  live: { has(id: number): boolean },
  ended: { has(id: number): boolean },
): number {
  for (;;) {
    const id = randomInt(0, SESSION_ID_LIMIT);
    if (!live.has(id) && !ended.has(id)) return id;
  }
}

/** The data and control channel names of a group we moderate on `channel`. */
export function channelNames(tokenId: string, channel: SlimName): { data: SlimName; control: SlimName } {
  const ids = groupChannelIds(tokenId, channel);
  return { data: withId(channel, ids.data), control: withId(channel, ids.control) };
}
