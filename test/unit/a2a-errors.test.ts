// Unit: the A2A error table across its three wires (A2A v1.0 specification §5.4 and §9.5;
// docs/a2a-over-slim.md#errors): SLIMRPC status + "Name: text", JSON-RPC codes, and what a
// client sees for SLIMRPC failures that carry no A2A name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../src/util/errors.js';
import { RpcError, StatusCode } from '../../src/slim/rpc/status.js';
import {
  A2A_ERRORS,
  A2aError,
  errorReason,
  fromJsonRpcError,
  fromRpcStatus,
  toJsonRpcError,
  toRpcStatus,
} from '../../src/adapters/a2a/errors.js';
import type { A2aErrorName } from '../../src/adapters/a2a/errors.js';

// Written from the specifications, independently of the source table.
const EXPECTED: [A2aErrorName, number, StatusCode][] = [
  ['TaskNotFoundError', -32001, StatusCode.NOT_FOUND],
  ['TaskNotCancelableError', -32002, StatusCode.FAILED_PRECONDITION],
  ['PushNotificationNotSupportedError', -32003, StatusCode.UNIMPLEMENTED],
  ['UnsupportedOperationError', -32004, StatusCode.UNIMPLEMENTED],
  ['ContentTypeNotSupportedError', -32005, StatusCode.INVALID_ARGUMENT],
  ['InvalidAgentResponseError', -32006, StatusCode.INTERNAL],
  ['ExtendedAgentCardNotConfiguredError', -32007, StatusCode.FAILED_PRECONDITION],
  ['ExtensionSupportRequiredError', -32008, StatusCode.FAILED_PRECONDITION],
  ['VersionNotSupportedError', -32009, StatusCode.UNIMPLEMENTED],
  ['JSONParseError', -32700, StatusCode.INTERNAL],
  ['InvalidRequestError', -32600, StatusCode.INVALID_ARGUMENT],
  ['MethodNotFoundError', -32601, StatusCode.UNIMPLEMENTED],
  ['InvalidParamsError', -32602, StatusCode.INVALID_ARGUMENT],
  ['InternalError', -32603, StatusCode.INTERNAL],
];

test('the table holds every A2A error with its JSON-RPC code and SLIMRPC status', () => {
  assert.deepEqual(Object.keys(A2A_ERRORS).sort(), EXPECTED.map(([n]) => n).sort());
  for (const [name, code, status] of EXPECTED) {
    assert.equal(A2A_ERRORS[name].jsonRpc, code, name);
    assert.equal(A2A_ERRORS[name].status, status, name);
  }
});

test('each error crosses SLIMRPC as its status and "Name: text", and comes back the same', () => {
  for (const [name, code, status] of EXPECTED) {
    const wire = toRpcStatus(new A2aError(name, 'task 42: nope'));
    assert.equal(wire.status, status);
    assert.equal(wire.message, `${name}: task 42: nope`);
    const back = fromRpcStatus(new RpcError(wire.status, wire.message));
    assert.equal(back.a2aName, name);
    assert.equal(back.message, 'task 42: nope');
    assert.equal(toJsonRpcError(back, '1.0').code, code);
    assert.equal(fromJsonRpcError({ code, message: 'm' }).a2aName, name);
  }
});

test('the name prefix decides, whatever status another server chose', () => {
  // The Python reference sends MethodNotFoundError as NOT_FOUND.
  assert.equal(
    fromRpcStatus(new RpcError(StatusCode.NOT_FOUND, 'MethodNotFoundError: x')).a2aName,
    'MethodNotFoundError',
  );
  // The v0.3 name of ExtendedAgentCardNotConfiguredError.
  const old = fromRpcStatus(
    new RpcError(StatusCode.FAILED_PRECONDITION, 'AuthenticatedExtendedCardNotConfiguredError: no'),
  );
  assert.equal(toJsonRpcError(old, '0.3').code, -32007);
  // An unknown name is an internal error, its text kept.
  const unknown = toJsonRpcError(fromRpcStatus(new RpcError(StatusCode.INTERNAL, 'FooError: bar')), '1.0');
  assert.equal(unknown.code, -32603);
  assert.match(unknown.message, /FooError: bar/);
});

test('without a name, the status decides', () => {
  const code = (status: StatusCode, message: string) =>
    toJsonRpcError(fromRpcStatus(new RpcError(status, message)), '1.0');
  assert.equal(
    code(StatusCode.UNIMPLEMENTED, 'Method not found: lf.a2a.v1.A2AService/SendMessage').code,
    -32601,
  );
  assert.equal(code(StatusCode.NOT_FOUND, 'no such task').code, -32001);
  assert.equal(code(StatusCode.INVALID_ARGUMENT, 'bad').code, -32602);
  const down = code(
    StatusCode.UNAVAILABLE,
    'the A2A agent at http://127.0.0.1:1 is unreachable (ECONNREFUSED)',
  );
  assert.equal(down.code, -32603);
  assert.match(down.message, /unavailable.*unreachable \(ECONNREFUSED\)/);
  const late = code(StatusCode.DEADLINE_EXCEEDED, 'Deadline exceeded');
  assert.equal(late.code, -32603);
  assert.match(late.message, /DEADLINE_EXCEEDED/);
});

test('gateway failures keep their own status on SLIMRPC; anything else is INTERNAL', () => {
  assert.equal(toRpcStatus(new GatewayError('UNAVAILABLE', 'agent down')).status, StatusCode.UNAVAILABLE);
  assert.equal(toRpcStatus(new GatewayError('TIMEOUT', 'late')).status, StatusCode.DEADLINE_EXCEEDED);
  const boom = toRpcStatus(new TypeError('boom'));
  assert.equal(boom.status, StatusCode.INTERNAL);
  assert.equal(boom.message, 'InternalError: boom');
});

test('v1.0 JSON-RPC errors carry a google.rpc.ErrorInfo for A2A errors; v0.3 and standard ones do not', () => {
  assert.deepEqual(toJsonRpcError(new A2aError('TaskNotCancelableError', 'done already'), '1.0'), {
    code: -32002,
    message: 'done already',
    data: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'TASK_NOT_CANCELABLE',
        domain: 'a2a-protocol.org',
      },
    ],
  });
  assert.deepEqual(toJsonRpcError(new A2aError('TaskNotCancelableError', 'done already'), '0.3'), {
    code: -32002,
    message: 'done already',
  });
  assert.equal(toJsonRpcError(new A2aError('InvalidParamsError', 'x'), '1.0').data, undefined);
  assert.equal(errorReason('ExtendedAgentCardNotConfiguredError'), 'EXTENDED_AGENT_CARD_NOT_CONFIGURED');
  assert.equal(errorReason('VersionNotSupportedError'), 'VERSION_NOT_SUPPORTED');
});

test('a JSON-RPC error from an agent with an unknown code is an internal error that keeps the code', () => {
  const e = fromJsonRpcError({ code: -32099, message: 'custom' });
  assert.equal(e.a2aName, 'InternalError');
  assert.match(e.message, /custom.*-32099/);
  assert.equal(fromJsonRpcError('garbage').a2aName, 'InternalError');
});
