// The receive side of one client call, as a pure state machine: `step(state, event)` returns the
// next state and the actions the I/O shell performs (deliver an item, end or fail, release the
// rpc-id). Point-to-point calls have one member ("peer"); multicast calls have one per group
// member, each completing on its own EOS or error (docs/slimrpc.md#frame-sequences, #multicast),
// or, for a single-response call whose caller says it ends on the response
// (`slim-gateway-ends-on-data`), on its first data frame.
//
// Invariants: each member ends at most once (data after its end is dropped); exactly one
// `finish` action per call, after which every event is ignored; on deadline, cancellation or
// session loss every member still pending gets its own error, so one member's failure never
// hides another's answer.
import { StatusCode } from './status.js';
import type { FrameKind } from './frames.js';

export const PEER = 'peer';

export type MemberStatus = 'pending' | 'done';

export interface ClientCallState {
  readonly members: ReadonlyMap<string, MemberStatus>;
  /** Whether the session was established (selects the deadline message). */
  readonly open: boolean;
  readonly finished: boolean;
  /** A pre-2.1 peer was recognised (data frames carrying `slimrpc-code=0`). */
  readonly legacyPeer: boolean;
  /** Each member completes on its first data frame (its EOS, if one comes, is then ignored). */
  readonly endsOnData: boolean;
}

export type ClientCallEvent =
  | { type: 'open' }
  /** `member` is the key the shell resolved from the frame's source (undefined: not a member). */
  | { type: 'frame'; member: string | undefined; frame: FrameKind }
  | { type: 'deadline' }
  | { type: 'cancel'; message?: string }
  | { type: 'sessionClosed'; status?: StatusCode; message?: string }
  /** A member left, went offline, was removed or never joined. */
  | { type: 'memberFailed'; member: string; status: StatusCode; message: string }
  /** The call fails as a whole (sending failed, the caller stopped reading, ...). */
  | { type: 'fail'; status: StatusCode; message: string };

export type ClientCallAction =
  | { type: 'data'; member: string; payload: Uint8Array }
  | { type: 'end'; member: string }
  | { type: 'error'; member: string; status: StatusCode; message: string }
  | { type: 'finish' };

export const MSG_SETUP_DEADLINE = 'Client deadline exceeded during session setup';
export const MSG_RESPONSE_DEADLINE = 'Client deadline exceeded while receiving response';
export const MSG_CANCELLED = 'call cancelled by the caller';
export const MSG_SESSION_CLOSED = 'session closed before the call completed';

export function initialCallState(members: readonly string[], endsOnData = false): ClientCallState {
  return {
    members: new Map(members.map((m) => [m, 'pending' as const])),
    open: false,
    finished: members.length === 0,
    legacyPeer: false,
    endsOnData,
  };
}

interface Step {
  state: ClientCallState;
  actions: ClientCallAction[];
}

function failPending(state: ClientCallState, status: StatusCode, message: string): Step {
  const actions: ClientCallAction[] = [];
  for (const [m, s] of state.members)
    if (s === 'pending') actions.push({ type: 'error', member: m, status, message });
  actions.push({ type: 'finish' });
  const members = new Map([...state.members].map(([m]) => [m, 'done' as const]));
  return { state: { ...state, members, finished: true }, actions };
}

function complete(state: ClientCallState, member: string, ...done: ClientCallAction[]): Step {
  const members = new Map(state.members);
  members.set(member, 'done');
  const finished = [...members.values()].every((s) => s === 'done');
  const actions: ClientCallAction[] = done;
  if (finished) actions.push({ type: 'finish' });
  return { state: { ...state, members, finished }, actions };
}

export function step(state: ClientCallState, event: ClientCallEvent): Step {
  if (state.finished) return { state, actions: [] };
  switch (event.type) {
    case 'open':
      return { state: { ...state, open: true }, actions: [] };
    case 'deadline':
      return failPending(
        state,
        StatusCode.DEADLINE_EXCEEDED,
        state.open ? MSG_RESPONSE_DEADLINE : MSG_SETUP_DEADLINE,
      );
    case 'cancel':
      return failPending(state, StatusCode.CANCELLED, event.message ?? MSG_CANCELLED);
    case 'sessionClosed':
      return failPending(state, event.status ?? StatusCode.UNAVAILABLE, event.message ?? MSG_SESSION_CLOSED);
    case 'fail':
      return failPending(state, event.status, event.message);
    case 'memberFailed': {
      if (state.members.get(event.member) !== 'pending') return { state, actions: [] };
      return complete(state, event.member, {
        type: 'error',
        member: event.member,
        status: event.status,
        message: event.message,
      });
    }
    case 'frame': {
      const { member, frame } = event;
      if (member === undefined || state.members.get(member) !== 'pending') return { state, actions: [] };
      if (frame.kind === 'data') {
        const next = frame.legacy && !state.legacyPeer ? { ...state, legacyPeer: true } : state;
        const delivered: ClientCallAction = { type: 'data', member, payload: frame.payload };
        if (state.endsOnData) return complete(next, member, delivered, { type: 'end', member });
        return { state: next, actions: [delivered] };
      }
      if (frame.kind === 'end') return complete(state, member, { type: 'end', member });
      return complete(state, member, { type: 'error', member, status: frame.status, message: frame.message });
    }
  }
}
