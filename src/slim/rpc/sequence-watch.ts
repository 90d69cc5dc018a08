// Loss detection on a SLIMRPC session without per-message acknowledgements (docs/deviations.md,
// SLIMRPC): a point-to-point peer numbers its data messages 1, 2, ...
// (wrapping after MAX_PUBLISH_ID) and one TCP path delivers them in order, so a message that
// arrives with any other number than the next one means the ones in between were lost (a link
// failed on the way). Nothing is retransmitted on such a session: the caller ends the session, and
// the calls on it fail at once instead of waiting for their deadline. Ids above MAX_PUBLISH_ID
// (publish_to messages, drawn at random) carry no sequence and are not checked.
import { MAX_PUBLISH_ID } from '../session/constants.js';
import type { Session } from '../session/types.js';

export class SequenceWatch {
  private last: number | undefined;

  /** Whether `session`'s messages need watching (point-to-point, without acknowledgements). */
  static needed(session: Pick<Session, 'kind' | 'reliable'>): boolean {
    return session.kind === 'p2p' && !session.reliable;
  }

  /** Records a received message id; false when messages before it were lost. */
  accept(id: number): boolean {
    if (id > MAX_PUBLISH_ID || id < 0) return true;
    const expected = this.last === undefined ? 1 : (this.last + 1) % (MAX_PUBLISH_ID + 1);
    this.last = id;
    return id === expected;
  }
}
