// Unit: the adapter's error tables: local failures to SLIMRPC statuses ("<Name>: text"), and a
// SLIMRPC status to what an MCP client sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  backendErrorResponse,
  clientFailureFor,
  mcpFailure,
  toMcpFailure,
} from '../../src/adapters/mcp/errors.js';
import { RpcError, StatusCode } from '../../src/slim/rpc/status.js';
import { GatewayError } from '../../src/util/errors.js';
import { encodeMessage, MAX_MCP_MESSAGE_BYTES } from '../../src/adapters/mcp/wire.js';

test('egress failures carry their name in the message and a fixed status', () => {
  const e = mcpFailure('SessionNotFound', 'no MCP session x');
  assert.equal(e.status, StatusCode.NOT_FOUND);
  assert.equal(e.message, 'SessionNotFound: no MCP session x');
  assert.equal(
    toMcpFailure(new GatewayError('RESOURCE_EXHAUSTED', 'big')).status,
    StatusCode.RESOURCE_EXHAUSTED,
  );
  assert.equal(toMcpFailure(new GatewayError('TIMEOUT', 't')).status, StatusCode.DEADLINE_EXCEEDED);
  assert.equal(toMcpFailure(new TypeError('boom')).status, StatusCode.INTERNAL, 'catch-all');
  assert.equal(toMcpFailure(e), e);
});

test('ingress: statuses become JSON-RPC errors; a lost session is 404 and drops the local one', () => {
  const gone = clientFailureFor(new RpcError(StatusCode.NOT_FOUND, 'SessionNotFound: x'), 'a/b/c');
  assert.deepEqual([gone.code, gone.httpStatus, gone.sessionGone], [-32001, 404, true]);
  const down = clientFailureFor(new RpcError(StatusCode.UNAVAILABLE, 'no route'), 'a/b/c');
  assert.deepEqual([down.code, down.httpStatus, down.sessionGone], [-32603, 502, false]);
  assert.match(down.message, /MCP service a\/b\/c unavailable over SLIM: no route/);
  assert.equal(clientFailureFor(new RpcError(StatusCode.DEADLINE_EXCEEDED, 'late'), 'x').httpStatus, 504);
  assert.equal(clientFailureFor(new RpcError(StatusCode.INVALID_ARGUMENT, 'bad'), 'x').code, -32600);
  assert.match(
    clientFailureFor(new RpcError(StatusCode.UNIMPLEMENTED, 'Method not found'), 'x').message,
    /does not serve MCP/,
  );
  assert.equal(clientFailureFor(new Error('weird'), 'x').code, -32603, 'catch-all');
});

test('backend failures are JSON-RPC errors (data), and the frame limit has a clear message', () => {
  const r = backendErrorResponse(4, 'start-failed', 'cannot run "x"');
  assert.deepEqual(r, {
    jsonrpc: '2.0',
    id: 4,
    error: {
      code: -32603,
      message: 'MCP server failed to start: cannot run "x"',
      data: { gateway: 'slim-gateway', failure: 'start-failed' },
    },
  });
  assert.throws(
    () => encodeMessage({ jsonrpc: '2.0', id: 1, result: { t: 'x'.repeat(MAX_MCP_MESSAGE_BYTES) } }),
    /exceeds the 3000000-byte limit of one SLIM frame/,
  );
});
