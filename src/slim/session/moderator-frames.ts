// The control frames a moderator sends (docs/sessions-mls.md#group-sessions): DISCOVERY_REQUEST,
// GROUP_UPDATE (ADD, REMOVE, REJOIN), GROUP_WELCOME, LEAVE_REQUEST and GROUP_CLOSE. Pure builders:
// each takes the route and what the payload carries and gets a fresh random message id; the
// moderator (moderator.ts) decides when to send them and which replies to wait for.
import { toProtoName } from '../dataplane/name.js';
import type { Message } from '../proto/index.js';
import type { GroupUpdateOp } from '../proto/index.js';
import { MsgType, commandFrame, memberInit, randomId } from './frames.js';
import type { FrameRoute, Member } from './frames.js';

type CommandInit = Parameters<typeof commandFrame>[3];

/** An MLS commit or welcome with the moderator's commit id. */
export interface MlsPayload {
  commitId: number;
  mlsContent: Uint8Array;
}

type MemberInit = ReturnType<typeof memberInit>;

export function discoveryFrame(route: FrameRoute): Message {
  return commandFrame(route, MsgType.DISCOVERY_REQUEST, randomId(), { case: 'discoveryRequest', value: {} });
}

/** JOIN_REQUEST to a discovered peer, with the session's settings (moderator.ts, joinPayload). */
export function joinFrame(
  route: FrameRoute,
  settings: Extract<CommandInit, { case: 'joinRequest' }>['value'],
): Message {
  return commandFrame(route, MsgType.JOIN_REQUEST, randomId(), { case: 'joinRequest', value: settings });
}

/** GROUP_UPDATE to the control channel: `participant` was added, removed or rejoined. */
export function groupUpdateFrame(
  route: FrameRoute,
  op: GroupUpdateOp,
  participant: Member,
  participants: MemberInit[],
  mls: MlsPayload | undefined,
): Message {
  return commandFrame(route, MsgType.GROUP_UPDATE, randomId(), {
    case: 'groupUpdate',
    value: { op, participant: memberInit(participant), participants, mls },
  });
}

export function welcomeFrame(
  route: FrameRoute,
  participants: MemberInit[],
  mls: MlsPayload | undefined,
): Message {
  return commandFrame(route, MsgType.GROUP_WELCOME, randomId(), {
    case: 'groupWelcome',
    value: { participants, mls },
  });
}

export function leaveFrame(route: FrameRoute): Message {
  return commandFrame(route, MsgType.LEAVE_REQUEST, randomId(), { case: 'leaveRequest', value: {} });
}

/** GROUP_CLOSE naming every member of the roster. */
export function closeFrame(route: FrameRoute, roster: Iterable<Member>): Message {
  return commandFrame(route, MsgType.GROUP_CLOSE, randomId(), {
    case: 'groupClose',
    value: { participants: [...roster].map((m) => toProtoName(m.name)) },
  });
}
