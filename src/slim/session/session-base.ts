// The session every role builds on (docs/sessions-mls.md): the public Session API
// (publish within the send window, deliveries, participants, close info) over the session core
// (session-core.ts: event loop, seal, control checks, teardown), and the helpers the roles share:
// routes, control requests with retries, remembered replies, the bounded goodbye. Membership
// (membership.ts) and the roles (moderator.ts, participant.ts) build on it.
import { randomInt } from 'node:crypto';
import { nameKey } from '../dataplane/name.js';
import type { SlimName } from '../dataplane/name.js';
import type { Message } from '../proto/index.js';
import { raceSignal } from '../../util/abort.js';
import { GatewayError } from '../../util/errors.js';
import { commandFrame, readFrame } from './frames.js';
import type { FrameRoute, Inbound, MsgType } from './frames.js';
import { reader } from './reader.js';
import { GOODBYE_TIMEOUT_MS } from './constants.js';
import { SessionCore } from './session-core.js';
import type { ParticipantEvent, PublishOptions, Session, SessionCloseInfo, SessionMessage } from './types.js';

export type { SessionDeps, SessionParams } from './session-core.js';

export abstract class SessionBase extends SessionCore implements Session {
  abstract get destination(): SlimName;
  abstract close(): Promise<void>;
  abstract invite(name: SlimName, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<SlimName>;
  abstract remove(name: SlimName): Promise<void>;

  // ---- public API ----

  publish(payload: Uint8Array, options?: PublishOptions): Promise<void> {
    return this.window.admit(
      () =>
        this.run(() => {
          this.assertOpen();
          return this.data.publish(payload, options);
        }),
      options?.signal,
    );
  }

  publishTo(target: SlimName, payload: Uint8Array, options?: PublishOptions): Promise<void> {
    return this.window.admit(
      () =>
        this.run(() => {
          this.assertOpen();
          return this.data.publishTo(target, payload, options);
        }),
      options?.signal,
    );
  }

  messages(): AsyncIterable<SessionMessage> {
    return reader(this.delivered);
  }

  participants(): SlimName[] {
    return [...this.roster.values()].filter((m) => m.online).map((m) => m.name);
  }

  onParticipant(listener: (event: ParticipantEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  closed(): Promise<SessionCloseInfo> {
    return this.closedPromise;
  }

  /** Torn down (or being torn down): takes no more frames. */
  get finished(): boolean {
    return this.state === 'closed';
  }

  /** Ends the session at once with `error`, sending nothing (the link is gone). */
  fail(error: Error): Promise<void> {
    this.delivered.fail(error); // first: the loop may be waiting for room in a full queue
    return this.run(() => this.teardown({ reason: 'error', error }));
  }

  /**
   * Closing: no more deliveries (what is queued stays readable). Done before queueing the close
   * on the loop, which may be waiting for room in a full queue nobody reads.
   */
  protected stopDelivery(): void {
    this.delivered.end();
  }

  // ---- helpers for roles (call on the loop) ----

  protected route(destination: SlimName, fanout = 1, metadata?: Record<string, string>): FrameRoute {
    return {
      source: this.local,
      destination,
      sessionType: this.sessionType,
      sessionId: this.id,
      fanout,
      metadata,
    };
  }

  /**
   * Sends a control request and tracks it; the returned promise (wrapped, so the loop never waits
   * on it) settles with the replies, or NoReplyError when the retries run out.
   */
  protected async request(
    frame: Message,
    expected: string[],
    what: string,
  ): Promise<{ done: Promise<Inbound[]> }> {
    const tracked = this.requests.track(frame, expected, what, this.now());
    await this.transmitCopy(frame);
    if (this.isToGroupName(frame)) this.liveness.sent();
    return tracked;
  }

  /** Stops waiting for a request (deadline passed); its promise rejects with `err`. */
  protected cancelRequest(id: number, err: Error): void {
    this.requests.cancel(id, err);
  }

  /** Answers `to` with the same message id, and remembers the answer for resends. */
  protected async reply(
    to: Inbound,
    type: MsgType,
    command: Parameters<typeof commandFrame>[3],
  ): Promise<void> {
    const frame = commandFrame(this.route(to.source), type, to.messageId, command);
    this.replay.remember(nameKey(to.source), to.messageId, frame);
    await this.transmitCopy(frame);
  }

  protected assertOpen(): void {
    if (this.state === 'closed' || this.state === 'closing')
      throw new GatewayError('CLOSED', 'session is closed');
  }

  private isToGroupName(frame: Message): boolean {
    const g = this.groupName();
    const f = readFrame(frame);
    return g !== undefined && f !== undefined && nameKey(f.destination) === nameKey(g);
  }

  /**
   * Says goodbye (GROUP_CLOSE, LEAVE_REQUEST) for at most GOODBYE_TIMEOUT_MS: `build` runs on the
   * loop and returns the request (or nothing to send), which is sent and tracked, and sent once
   * more half-way if still unanswered (one lost frame must not cost the goodbye: the regular
   * retransmission would come too late). Once the time is up, the wait ends and every send still
   * waiting for the link (reconnecting) is abandoned, so the loop is free for the teardown.
   */
  protected async goodbye(
    build: () => Promise<{ frame: Message; expected: string[]; what: string } | undefined>,
  ): Promise<void> {
    const cancel = this.deps.clock.setTimer(
      () => this.sending.abort(new GatewayError('TIMEOUT', 'goodbye not acknowledged in time')),
      GOODBYE_TIMEOUT_MS,
    );
    let cancelResend: (() => void) | undefined;
    try {
      // Returned wrapped: the loop must not wait for the replies it has to deliver.
      const wait = await raceSignal(
        this.run(async () => {
          const r = await build();
          if (!r) return undefined;
          const { done } = await this.request(r.frame, r.expected, r.what);
          let answered = false;
          const settle = () => void (answered = true);
          done.then(settle, settle);
          cancelResend = this.deps.clock.setTimer(() => {
            if (!answered) this.run(() => this.transmitCopy(r.frame)).catch(() => undefined);
          }, GOODBYE_TIMEOUT_MS / 2);
          return { done };
        }),
        this.sending.signal,
      );
      await raceSignal<unknown>(wait?.done ?? Promise.resolve(), this.sending.signal);
    } finally {
      cancel();
      cancelResend?.();
    }
  }
}

/** A control message id: random, never 0 (the replay check refuses 0). */
export function randomId(): number {
  return randomInt(1, 0xffff_ffff);
}
