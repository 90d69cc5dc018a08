// Control requests awaiting replies (docs/sessions-mls.md#control-retransmission): the tracker's
// state plus a promise per request for the flow that sent it. A reply is matched by message id and
// by who sent it (DISCOVERY_REPLY by name without id: any instance may answer); the promise settles
// with the replies once everyone expected answered, or with NoReplyError naming who never did.
import { baseName, nameKey } from '../dataplane/name.js';
import type { Message } from '../proto/index.js';
import { ControlTracker } from './state/control-tracker.js';
import { NoReplyError } from './errors.js';
import { MsgType, readFrame } from './frames.js';
import type { Inbound } from './frames.js';
import type { RetryPolicy } from './state/retry.js';

interface Waiter {
  resolve: (r: Inbound[]) => void;
  reject: (e: Error) => void;
  replies: Inbound[];
  what: string;
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
    const id = readFrame(frame)!.messageId;
    const done = new Promise<Inbound[]>((resolve, reject) => {
      this.waiters.set(id, { resolve, reject, replies: [], what });
    });
    done.catch(() => undefined); // observed by the caller; never unhandled
    if (expected.length === 0) this.settle(id);
    else this.tracker.track(id, frame, expected, now);
    return { done };
  }

  /** A reply frame (one of REPLY_TYPES). */
  onReply(frame: Inbound): void {
    const key = frame.type === MsgType.DISCOVERY_REPLY ? baseName(frame.source) : nameKey(frame.source);
    const w = this.waiters.get(frame.messageId);
    if (!w) return;
    const outcome = this.tracker.reply(frame.messageId, key);
    if (outcome === 'unknown') return;
    w.replies.push(frame);
    if (outcome === 'complete') this.settle(frame.messageId);
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
      w?.reject(new NoReplyError(w.what, f.missing));
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
