// Control requests awaiting replies (docs/sessions-mls.md#control-retransmission): the tracker's
// state plus a promise per request for the flow that sent it. A reply is matched by message id and
// by who sent it (DISCOVERY_REPLY by name without id: any instance may answer); the promise settles
// with the replies once everyone expected answered, or with NoReplyError naming who never did. A
// discovery also ends at once when the app we asked refuses our identity with a refusal that
// verified (docs/security.md, "Refusals"): DiscoveryRefusedError.
import { baseName, nameKey } from '../dataplane/name.js';
import type { Message } from '../proto/index.js';
import { ControlTracker } from './state/control-tracker.js';
import { META_JOIN_REFUSED } from './constants.js';
import { DiscoveryRefusedError, NoReplyError } from './errors.js';
import { MsgType, readFrame } from './frames.js';
import type { Inbound } from './frames.js';
import type { RetryPolicy } from './state/retry.js';

interface Waiter {
  resolve: (r: Inbound[]) => void;
  reject: (e: Error) => void;
  replies: Inbound[];
  what: string;
  /** The request's type (a discovery can be refused). */
  type: MsgType;
  /** A refusal of it came that did not verify (reported if the request fails, never acted on). */
  unverifiedRefusal: boolean;
}

export const REPLY_TYPES: ReadonlySet<MsgType> = new Set([
  MsgType.DISCOVERY_REPLY,
  MsgType.JOIN_REPLY,
  MsgType.GROUP_ACK,
  MsgType.GROUP_NACK,
  MsgType.LEAVE_REPLY,
  MsgType.REJOIN_REPLY,
]);

export class ControlRequests {
  private readonly tracker: ControlTracker<Message>;
  private readonly waiters = new Map<number, Waiter>();

  constructor(policy: RetryPolicy) {
    this.tracker = new ControlTracker(policy);
  }

  /**
   * Starts tracking `frame` (already built; the caller sends it). The promise is returned wrapped
   * so a caller on the session loop never awaits it there by accident.
   */
  track(frame: Message, expected: string[], what: string, now: number): { done: Promise<Inbound[]> } {
    const { messageId: id, type } = readFrame(frame)!;
    const done = new Promise<Inbound[]>((resolve, reject) => {
      this.waiters.set(id, { resolve, reject, replies: [], what, type, unverifiedRefusal: false });
    });
    done.catch(() => undefined); // observed by the caller; never unhandled
    if (expected.length === 0) this.settle(id);
    else this.tracker.track(id, frame, expected, now);
    return { done };
  }

  /** A reply frame (one of REPLY_TYPES), verified: token, signature, token owner = source. */
  onReply(frame: Inbound): void {
    const key = frame.type === MsgType.DISCOVERY_REPLY ? baseName(frame.source) : nameKey(frame.source);
    const w = this.waiters.get(frame.messageId);
    if (!w) return;
    const refusal = this.discoveryRefusal(frame, w);
    if (refusal !== undefined) {
      this.cancel(frame.messageId, new DiscoveryRefusedError(baseName(frame.source), refusal));
      return;
    }
    const outcome = this.tracker.reply(frame.messageId, key);
    if (outcome === 'unknown') return;
    w.replies.push(frame);
    if (outcome === 'complete') this.settle(frame.messageId);
  }

  /**
   * A reply frame that did not verify. A refusal of a discovery among them is remembered for the
   * error the discovery ends with, if it does; nothing else changes (anyone could have sent it).
   */
  onUnverifiedReply(frame: Inbound): void {
    const w = this.waiters.get(frame.messageId);
    if (w && this.discoveryRefusal(frame, w) !== undefined) w.unverifiedRefusal = true;
  }

  /**
   * The reason, when `frame` refuses the discovery `w` waits for: a GROUP_NACK with the same id
   * and a JOIN_REFUSED reason, from the app the discovery is still waiting for (any instance).
   */
  private discoveryRefusal(frame: Inbound, w: Waiter): string | undefined {
    if (w.type !== MsgType.DISCOVERY_REQUEST || frame.type !== MsgType.GROUP_NACK) return undefined;
    const reason = frame.metadata[META_JOIN_REFUSED];
    if (reason === undefined) return undefined;
    if (!this.tracker.missing(frame.messageId).includes(baseName(frame.source))) return undefined;
    return reason.replace(/[^\x20-\x7e]/g, '?').slice(0, 200) || 'no reason given';
  }

  /** Stops waiting for a request; its promise rejects with `err`. */
  cancel(id: number, err: Error): void {
    this.tracker.stop(id);
    const w = this.waiters.get(id);
    this.waiters.delete(id);
    w?.reject(err);
  }

  /** A member left: nobody waits for it any more. */
  forget(key: string): void {
    for (const id of this.tracker.forget(key)) this.settle(id);
  }

  /** Frames to resend now; requests whose retries ran out are rejected. */
  tick(now: number): Message[] {
    const t = this.tracker.tick(now);
    for (const f of t.failed) {
      const w = this.waiters.get(f.id);
      this.waiters.delete(f.id);
      w?.reject(new NoReplyError(w.what, f.missing, w.unverifiedRefusal));
    }
    return t.resend;
  }

  nextDeadline(): number | undefined {
    return this.tracker.nextDeadline();
  }

  /** Fails everything still waiting. */
  clear(err: Error): void {
    this.tracker.clear();
    for (const w of this.waiters.values()) w.reject(err);
    this.waiters.clear();
  }

  private settle(id: number): void {
    const w = this.waiters.get(id);
    this.waiters.delete(id);
    w?.resolve(w.replies);
  }
}
