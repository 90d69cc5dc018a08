// Unit: the client call state machine (src/slim/rpc/client-call-state.ts): completion per member, one
// finish, per-member errors on deadline, cancellation and session loss, no delivery after the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MSG_RESPONSE_DEADLINE,
  MSG_SETUP_DEADLINE,
  PEER,
  initialCallState,
  step,
} from '../../src/slim/rpc/client-call-state.js';
import type {
  ClientCallAction,
  ClientCallEvent,
  ClientCallState,
} from '../../src/slim/rpc/client-call-state.js';
import { StatusCode } from '../../src/slim/rpc/status.js';

const data = (s: string) => ({ kind: 'data' as const, payload: new TextEncoder().encode(s), legacy: false });
const end = { kind: 'end' as const };

function run(state: ClientCallState, events: ClientCallEvent[]) {
  const actions: ClientCallAction[] = [];
  for (const e of events) {
    const r = step(state, e);
    state = r.state;
    actions.push(...r.actions);
  }
  return { state, actions, types: actions.map((a) => `${a.type}${'member' in a ? ':' + a.member : ''}`) };
}

test('point to point: data, then the EOS finishes the call; later frames are ignored', () => {
  const r = run(initialCallState([PEER]), [
    { type: 'open' },
    { type: 'frame', member: PEER, frame: data('a') },
    { type: 'frame', member: PEER, frame: data('b') },
    { type: 'frame', member: PEER, frame: end },
    { type: 'frame', member: PEER, frame: data('late') },
    { type: 'deadline' },
  ]);
  assert.deepEqual(r.types, ['data:peer', 'data:peer', 'end:peer', 'finish']);
  assert.equal(r.state.finished, true);
});

test('an error frame ends the call with its status', () => {
  const r = run(initialCallState([PEER]), [
    { type: 'open' },
    { type: 'frame', member: PEER, frame: { kind: 'error', status: StatusCode.NOT_FOUND, message: 'nope' } },
  ]);
  assert.deepEqual(r.actions, [
    { type: 'error', member: PEER, status: StatusCode.NOT_FOUND, message: 'nope' },
    { type: 'finish' },
  ]);
});

test('the deadline message depends on whether the session was set up', () => {
  const before = run(initialCallState([PEER]), [{ type: 'deadline' }]);
  assert.deepEqual(before.actions[0], {
    type: 'error',
    member: PEER,
    status: StatusCode.DEADLINE_EXCEEDED,
    message: MSG_SETUP_DEADLINE,
  });
  const after = run(initialCallState([PEER]), [{ type: 'open' }, { type: 'deadline' }]);
  assert.equal((after.actions[0] as { message: string }).message, MSG_RESPONSE_DEADLINE);
});

test('multicast: each member completes on its own; the call finishes when all have', () => {
  const r = run(initialCallState(['a', 'b', 'c']), [
    { type: 'open' },
    { type: 'frame', member: 'a', frame: data('1') },
    { type: 'frame', member: 'a', frame: end },
    { type: 'frame', member: undefined, frame: data('stranger') },
    { type: 'frame', member: 'b', frame: { kind: 'error', status: StatusCode.UNIMPLEMENTED, message: 'x' } },
    { type: 'frame', member: 'b', frame: data('after its end') },
    { type: 'memberFailed', member: 'c', status: StatusCode.UNAVAILABLE, message: 'left' },
  ]);
  assert.deepEqual(r.types, ['data:a', 'end:a', 'error:b', 'error:c', 'finish']);
});

test('ending on data: each member completes on its first data frame; its EOS is ignored', () => {
  const r = run(initialCallState(['a', 'b', 'c'], true), [
    { type: 'open' },
    { type: 'frame', member: 'b', frame: data('from b') },
    { type: 'frame', member: 'b', frame: end },
    { type: 'frame', member: 'b', frame: data('late') },
    { type: 'frame', member: 'a', frame: { kind: 'error', status: StatusCode.NOT_FOUND, message: 'x' } },
    { type: 'frame', member: 'c', frame: end },
  ]);
  assert.deepEqual(r.types, ['data:b', 'end:b', 'error:a', 'end:c', 'finish']);
  const p2p = run(initialCallState([PEER], true), [
    { type: 'open' },
    { type: 'frame', member: PEER, frame: data('answer') },
    { type: 'frame', member: PEER, frame: end },
    { type: 'deadline' },
  ]);
  assert.deepEqual(p2p.types, ['data:peer', 'end:peer', 'finish']);
  // A member still pending when the deadline comes gets its own error, as without the key.
  const late = run(initialCallState(['a', 'b'], true), [
    { type: 'open' },
    { type: 'frame', member: 'a', frame: data('1') },
    { type: 'deadline' },
  ]);
  assert.deepEqual(late.types, ['data:a', 'end:a', 'error:b', 'finish']);
});

test('multicast: the deadline, cancellation or session loss fail only the members still pending', () => {
  for (const [event, code] of [
    [{ type: 'deadline' }, StatusCode.DEADLINE_EXCEEDED],
    [{ type: 'cancel' }, StatusCode.CANCELLED],
    [{ type: 'sessionClosed' }, StatusCode.UNAVAILABLE],
    [{ type: 'fail', status: StatusCode.RESOURCE_EXHAUSTED, message: 'full' }, StatusCode.RESOURCE_EXHAUSTED],
  ] as const) {
    const r = run(initialCallState(['a', 'b', 'c']), [
      { type: 'open' },
      { type: 'frame', member: 'b', frame: end },
      event,
    ]);
    assert.deepEqual(r.types, ['end:b', 'error:a', 'error:c', 'finish'], event.type);
    assert.ok(r.actions.filter((a) => a.type === 'error').every((a) => a.status === code));
  }
});

test('a legacy data frame marks the peer as pre-2.1', () => {
  const r = run(initialCallState([PEER]), [
    { type: 'frame', member: PEER, frame: { kind: 'data', payload: new Uint8Array([1]), legacy: true } },
  ]);
  assert.equal(r.state.legacyPeer, true);
});
