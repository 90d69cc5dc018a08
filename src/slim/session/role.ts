// The two sides of the contract between a session and its role (docs/sessions-mls.md#moderator-and-participant).
// A session (session.ts) runs the loop, the seal and the checks, the data path and the roster's
// effects; its role (moderator.ts or participant.ts) decides what the control frames mean and runs
// the membership flows. The role reaches the session only through RoleHost, what a role may do;
// the session reaches the role only through SessionRole. Neither sees the other's fields.
import type { Logger } from 'pino';
import type { SlimName } from '../dataplane/name.js';
import type { MlsGroup } from '../mls/types.js';
import type { Message } from '../proto/index.js';
import type { SessionClock } from './clock.js';
import type { FrameRoute, Inbound, Member, MsgType, commandFrame } from './frames.js';
import type { Roster } from './roster.js';
import type { RetryPolicy } from './state/retry.js';
import type { ParticipantEvent, SessionCloseInfo, SessionKind } from './types.js';

/** setup -> open -> closing -> closed; once closed, no frame is handled and every timer is off. */
export type SessionState = 'setup' | 'open' | 'closing' | 'closed';

/** What a goodbye sends: a request and whom it waits for (or nothing to send). */
export interface GoodbyeRequest {
  readonly frame: Message;
  readonly expected: string[];
  readonly what: string;
}

/** What the role does for its session. Everything but `invite`, `remove` and `close` runs on the loop. */
export interface SessionRole {
  /** The session's destination as the app named it (Session.destination). */
  destination(): SlimName;
  /** Where a publish goes: the peer (p2p) or the data channel (group). */
  dataTarget(): { name: SlimName; fanout: number };
  /** Heartbeats and group-wide control go here: the peer (p2p) or the control channel (group). */
  groupName(): SlimName | undefined;
  /** A verified, new control frame other than HEARTBEAT and UPDATE_PARTICIPANT_STATE. */
  onControl(frame: Inbound): Promise<void>;
  invite(name: SlimName, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<SlimName>;
  remove(name: SlimName): Promise<void>;
  /** Says goodbye and ends the session (once; later calls get the same promise). */
  close(): Promise<void>;
  /** This member missed a commit (a heartbeat showed a later epoch): a participant rejoins. */
  onBehind(): Promise<void>;
  /** Teardown: unsubscribe channels, cancel pending work (errors are logged, never thrown). */
  release(): Promise<void>;
}

/** What a role may do with its session. Call the `run`-free methods only on the loop. */
export interface RoleHost {
  readonly id: number;
  readonly kind: SessionKind;
  readonly mls: boolean;
  readonly local: SlimName;
  readonly metadata: Readonly<Record<string, string>>;
  readonly reliable: boolean;
  readonly policy: RetryPolicy;
  readonly headerCheckPercent: number;
  readonly log: Logger;
  readonly clock: SessionClock;
  readonly roster: Roster;
  /** The group's data and control channels (group sessions only). */
  readonly channels: { data: SlimName; control: SlimName } | undefined;

  state(): SessionState;
  setState(state: 'open' | 'closing'): void;
  /** The MLS group, once there is one. */
  group(): MlsGroup | undefined;
  /** Installs a group (a participant's welcome or rejoin); the one it replaces is closed. */
  replaceGroup(group: MlsGroup): void;

  /** Runs `fn` on the session's loop, after what is already queued. */
  run<T>(fn: () => Promise<T> | T): Promise<T>;
  now(): number;
  route(destination: SlimName, fanout?: number, metadata?: Record<string, string>): FrameRoute;
  /**
   * Sends a control request and tracks it; the returned promise (wrapped, so the loop never waits
   * on it) settles with the replies, or NoReplyError when the retries run out.
   */
  request(frame: Message, expected: string[], what: string): Promise<{ done: Promise<Inbound[]> }>;
  /** Stops waiting for a request; its promise rejects with `err`. */
  cancelRequest(id: number, err: Error): void;
  /** Answers `to` with the same message id, and remembers the answer for resends. */
  reply(to: Inbound, type: MsgType, command: Parameters<typeof commandFrame>[3]): Promise<void>;
  /** Sends a copy of a frame again (no tracking). */
  resend(frame: Message): Promise<void>;
  /** The bounded goodbye (GROUP_CLOSE, LEAVE_REQUEST): `build` runs on the loop. */
  goodbye(build: () => Promise<GoodbyeRequest | undefined>): Promise<void>;
  emit(event: ParticipantEvent): void;
  /** Ends the session once (the role's `release` runs as part of it). */
  teardown(info: SessionCloseInfo): Promise<void>;
  /** Closing: no more deliveries (what is queued stays readable). */
  stopDelivery(): void;

  /** Starts the heartbeat clock (the session is set up). */
  startLiveness(): void;
  /**
   * Adds a member (roster, liveness, data endpoint). `fresh`: it just joined, so its data
   * sequence starts anew; otherwise (back online) its sequence continues.
   */
  addMember(member: Member, fresh?: boolean): Promise<void>;
  /** Takes a member out of the roster and of every table that knows it; returns it if it was in. */
  dropMember(name: SlimName): Member | undefined;
  /** A member stopped answering: offline locally; a p2p session ends with an error. */
  memberOffline(key: string, why: string): void;
  /** A member that joined after this side did: its data ids start at 1. */
  lateJoiner(name: SlimName): void;
  subscribeChannels(): Promise<void>;
  unsubscribeChannels(): Promise<void>;
}
