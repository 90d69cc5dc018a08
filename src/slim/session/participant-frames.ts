// What an invited session reads and sends besides acknowledgements
// (docs/sessions-mls.md#group-sessions, #rejoin-and-participant-state): the group channel names a
// JOIN_REQUEST carries (checked: both with ids, distinct, same three components), the JOIN_REPLY
// payload naming us, REJOIN_REQUEST with a fresh KeyPackage, and
// LEAVE_REQUEST(LEAVING_SESSION=TRUE) when we close. Pure builders; the session (participant.ts)
// decides when.
import { baseName, fromProtoName, toProtoName } from '../dataplane/name.js';
import type { SlimName } from '../dataplane/name.js';
import type { Message } from '../proto/index.js';
import { GatewayError } from '../../util/errors.js';
import { META_LEAVING_SESSION, TRUE_VAL } from './constants.js';
import { MsgType, commandFrame, randomId } from './frames.js';
import type { FrameRoute } from './frames.js';

/** Group channel names from a JOIN_REQUEST: both with ids, distinct, same three components. */
export function channelsOf(join: { channel?: unknown; control?: unknown }): {
  data: SlimName;
  control: SlimName;
} {
  const data = fromProtoName(join.channel as Parameters<typeof fromProtoName>[0]);
  const control = fromProtoName(join.control as Parameters<typeof fromProtoName>[0]);
  if (data.id === control.id || baseName(data) !== baseName(control)) {
    throw new GatewayError('PROTOCOL', 'JOIN_REQUEST with inconsistent group channel names');
  }
  return { data, control };
}

/** The JOIN_REPLY command: us, sending and receiving data, with our KeyPackage under MLS. */
export function joinReply(local: SlimName, keyPackage: Uint8Array | undefined) {
  return {
    case: 'joinReply' as const,
    value: {
      keyPackage,
      participant: {
        name: toProtoName(local),
        settings: { sendsData: true, receivesData: true },
        status: 0,
      },
    },
  };
}

/** REJOIN_REQUEST to the moderator (`route`), with a fresh KeyPackage. */
export function rejoinFrame(route: FrameRoute, local: SlimName, keyPackage: Uint8Array): Message {
  return commandFrame(route, MsgType.REJOIN_REQUEST, randomId(), {
    case: 'rejoinRequest',
    value: { participant: toProtoName(local), keyPackage },
  });
}

/** The metadata that marks our LEAVE_REQUEST as leaving (not answering the moderator's). */
export function leavingMetadata(): Record<string, string> {
  return { [META_LEAVING_SESSION]: TRUE_VAL };
}

/** LEAVE_REQUEST to the moderator when we close; `route` carries leavingMetadata(). */
export function leavingFrame(route: FrameRoute): Message {
  return commandFrame(route, MsgType.LEAVE_REQUEST, randomId(), { case: 'leaveRequest', value: {} });
}
