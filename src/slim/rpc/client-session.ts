// The client side of one SLIM session shared by every call of a channel
// (docs/slimrpc.md#sessions): a dispatcher reads the session and hands each frame to the call
// registered under its `rpc-id`; frames for unknown ids (late frames of finished or cancelled
// calls) are discarded. When the session ends, every registered call hears it once, and the
// session reports itself dead so the channel creates a new one for the next call. On a session
// without acknowledgements a gap in the peer's message numbers (sequence-watch.ts) ends the
// session the same way: a lost response would otherwise leave its call waiting for the deadline.
import type { Logger } from '../../util/log.js';
import type { Session, SessionMessage } from '../session/types.js';
import { isRequestFrame, rpcIdOf } from './frames.js';
import { SequenceWatch } from './sequence-watch.js';
import { StatusCode } from './status.js';

export const MSG_MESSAGES_LOST = 'messages from the peer were lost (retransmissions exhausted)';
export const MSG_SEQUENCE_GAP = 'messages from the peer were lost (a gap in its message numbers)';

export interface CallListener {
  onFrame(message: SessionMessage): void;
  onSessionClosed(reason: string, status?: StatusCode): void;
}

export class ClientSession {
  private readonly calls = new Map<string, CallListener>();
  private alive = true;
  /** A pre-2.1 peer was recognised on this session (see frames.ts, classifyFrame). */
  legacyPeer = false;

  constructor(
    readonly session: Session,
    private readonly logger: Logger,
  ) {
    void this.pump();
    void session.closed().then((info) => this.shutdown(`session closed (${info.reason})`));
    // Point-to-point: a lost message may be any call's response, and the stream of every call is
    // now incomplete: the calls fail at once and the channel makes a new session for the next.
    if (session.kind === 'p2p') {
      session.onParticipant((ev) => {
        if (ev.type === 'lost') void this.close(MSG_MESSAGES_LOST, StatusCode.UNAVAILABLE);
      });
    }
  }

  get isAlive(): boolean {
    return this.alive;
  }

  get callCount(): number {
    return this.calls.size;
  }

  register(rpcId: string, listener: CallListener): void {
    this.calls.set(rpcId, listener);
  }

  unregister(rpcId: string): void {
    this.calls.delete(rpcId);
  }

  private async pump(): Promise<void> {
    let reason = 'session ended';
    const watch = SequenceWatch.needed(this.session) ? new SequenceWatch() : undefined;
    try {
      for await (const message of this.session.messages()) {
        if (watch && !watch.accept(message.messageId)) {
          this.logger.warn({ sessionId: this.session.id }, 'messages from the peer were lost');
          void this.close(MSG_SEQUENCE_GAP, StatusCode.UNAVAILABLE);
          return;
        }
        const rpcId = rpcIdOf(message.metadata);
        const call = rpcId === undefined ? undefined : this.calls.get(rpcId);
        if (!call || isRequestFrame(message.metadata)) {
          this.logger.trace({ rpcId, size: message.payload.length }, 'frame for no live call dropped');
          continue;
        }
        call.onFrame(message);
      }
    } catch (err) {
      reason = `session failed: ${err instanceof Error ? err.message : String(err)}`;
    }
    this.shutdown(reason);
  }

  private shutdown(reason: string, status?: StatusCode): void {
    if (!this.alive) return;
    this.alive = false;
    this.logger.debug({ sessionId: this.session.id, calls: this.calls.size, reason }, 'session gone');
    const calls = [...this.calls.values()];
    this.calls.clear();
    for (const c of calls) c.onSessionClosed(reason, status);
  }

  /** Closes the session; registered calls fail with `status` (default UNAVAILABLE) and `reason`. */
  async close(reason: string, status?: StatusCode): Promise<void> {
    this.shutdown(reason, status);
    await this.session.close().catch(() => undefined);
  }
}
