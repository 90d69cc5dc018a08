// What a multicast call yields (spec/slimrpc-a2a-mcp.md §1.9): each call action of the client
// state machine (client-call-state.ts) as a MulticastItem attributed to its member, the size an item
// counts for in the bounded inbox, and the message a member's failure carries when it leaves,
// goes offline, loses messages or is removed. Pure; multicast.ts does the I/O.
import type { SlimName } from '../dataplane/name.js';
import type { ClientCallAction } from './client-call-state.js';
import { MSG_MESSAGES_LOST } from './client-session.js';
import { RpcError } from './status.js';
import type { MulticastItem } from './types.js';

export const MSG_MEMBER_LEFT = 'member left the group';
export const MSG_MEMBER_OFFLINE = 'member went offline';
export const MSG_MEMBER_REMOVED = 'member removed from the group';

export const itemSize = (i: MulticastItem) => (i.kind === 'data' ? i.payload.byteLength : 64);

/** The item for a data, end or error action, attributed to the member `nameOf` names. */
export function callItem(
  a: Exclude<ClientCallAction, { type: 'finish' }>,
  nameOf: (key: string) => SlimName,
): MulticastItem {
  return a.type === 'data'
    ? { kind: 'data', member: nameOf(a.member), payload: a.payload }
    : a.type === 'end'
      ? { kind: 'end', member: nameOf(a.member) }
      : { kind: 'error', member: nameOf(a.member), error: new RpcError(a.status, a.message) };
}

/**
 * Why a member's calls in flight fail after a membership event. Lost messages from a member: its
 * answers to the calls in flight may be among them.
 */
export function memberEventMessage(type: 'left' | 'offline' | 'lost'): string {
  return type === 'left' ? MSG_MEMBER_LEFT : type === 'lost' ? MSG_MESSAGES_LOST : MSG_MEMBER_OFFLINE;
}
