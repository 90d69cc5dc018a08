// Unit: how the trace context and the caller's Authorization are carried (docs/mcp-over-slimrpc.md §3.2
// and docs/a2a-over-slim.md §1, "Headers"): the MCP payload member, the A2A
// request field (a protobuf reader still decodes the request, and its JSON never shows it), the
// upstream OAuth challenge as a status and as the route shows it, and trace context from headers
// and from MCP `_meta`. Pure functions, no sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create, fromBinary, toBinary, toJson } from '@bufbuild/protobuf';
import * as n from '../../src/adapters/a2a/gen/a2a/v1_0/a2a_pb.js';
import { authorizationOf, withAuthorization } from '../../src/adapters/a2a/authorization.js';
import { metaTraceContext, toolOf } from '../../src/adapters/mcp/call-info.js';
import { parseMessage } from '../../src/adapters/mcp/jsonrpc.js';
import {
  localResourceMetadata,
  localWwwAuthenticate,
  resourceMetadataUrl,
} from '../../src/adapters/mcp/upstream-auth.js';
import {
  challengeStatus,
  readUpstreamChallenge,
  upstreamUnauthorized,
} from '../../src/adapters/upstream-challenge.js';
import { AUTHORIZATION_MEMBER, encodeCall, takeAuthorization } from '../../src/adapters/mcp/wire.js';
import { RpcError, StatusCode } from '../../src/slim/rpc/status.js';
import { NO_CALL_OBSERVER, traceContextOf, withTraceContext } from '../../src/telemetry/calls.js';

const TOKEN = 'Bearer eyJhbGciOiJSUzI1NiJ9.payload.signature';

test('MCP: the Authorization member travels in the payload and is taken out before the message goes on', () => {
  const request = { jsonrpc: '2.0' as const, id: 7, method: 'tools/call', params: { name: 'x' } };
  const plain = new TextDecoder().decode(encodeCall(request, undefined));
  assert.equal(plain, JSON.stringify(request));
  const parsed = parseMessage(encodeCall(request, TOKEN));
  assert.ok(parsed.ok);
  const message = parsed.value.message;
  assert.equal(takeAuthorization(message), TOKEN);
  assert.ok(!(AUTHORIZATION_MEMBER in message));
  assert.deepEqual(message, request);
  assert.equal(takeAuthorization({ jsonrpc: '2.0', method: 'x' }), undefined);
  assert.equal(takeAuthorization({ [AUTHORIZATION_MEMBER]: 42 }), undefined);
});

test('A2A: the Authorization field decodes with the request, never shows in its JSON, and is read back', () => {
  const req = create(n.SendMessageRequestSchema, {
    message: { messageId: 'm1', role: n.Role.USER, parts: [{ content: { case: 'text', value: 'hi' } }] },
  });
  const bytes = withAuthorization(toBinary(n.SendMessageRequestSchema, req), TOKEN);
  assert.equal(authorizationOf(bytes), TOKEN);
  const decoded = fromBinary(n.SendMessageRequestSchema, bytes);
  assert.equal(decoded.message?.messageId, 'm1');
  assert.ok(!JSON.stringify(toJson(n.SendMessageRequestSchema, decoded)).includes('eyJ'));
  assert.equal(authorizationOf(toBinary(n.SendMessageRequestSchema, req)), undefined);
  assert.equal(withAuthorization(new Uint8Array([1, 2]), undefined).byteLength, 2);
  assert.equal(authorizationOf(new Uint8Array([0xff, 0xff, 0xff])), undefined);
});

test('upstream OAuth challenge: carried as UNAUTHENTICATED, rewritten to the route', () => {
  const header =
    'Bearer error="invalid_token", error_description="Missing Authorization header", ' +
    'resource_metadata="http://127.0.0.1:3001/.well-known/oauth-protected-resource/mcp"';
  assert.equal(resourceMetadataUrl(header), 'http://127.0.0.1:3001/.well-known/oauth-protected-resource/mcp');
  const metadata = { resource: 'http://127.0.0.1:3001/mcp', authorization_servers: ['http://as.example'] };
  const err = upstreamUnauthorized({ wwwAuthenticate: header, resourceMetadata: metadata });
  assert.equal(err.status, StatusCode.UNAUTHENTICATED);
  assert.deepEqual(readUpstreamChallenge(err), {
    httpStatus: 401,
    wwwAuthenticate: header,
    resourceMetadata: metadata,
  });
  const scope = upstreamUnauthorized({
    httpStatus: 403,
    wwwAuthenticate: 'Bearer error="insufficient_scope"',
  });
  assert.equal(readUpstreamChallenge(scope)?.httpStatus, 403);
  assert.equal(
    readUpstreamChallenge(new RpcError(StatusCode.UNAUTHENTICATED, 'refused: identity')),
    undefined,
  );
  assert.equal(readUpstreamChallenge(new Error('x')), undefined);
  // An error caused by the status (the A2A route's view of it) still carries the challenge.
  assert.equal(readUpstreamChallenge(new Error('wrapped', { cause: scope }))?.httpStatus, 403);
  // From a remote peer into a response header: a value no header may carry is not relayed.
  for (const bad of ['Bearer\r\nSet-Cookie: x=1', 'Bearer \u0000', `Bearer ${'x'.repeat(5000)}`])
    assert.equal(readUpstreamChallenge(upstreamUnauthorized({ wwwAuthenticate: bad })), undefined);
  assert.equal(challengeStatus(401, undefined), 401);
  assert.equal(challengeStatus(403, 'Bearer error="insufficient_scope"'), 403);
  assert.equal(challengeStatus(403, 'Bearer realm="x"'), undefined);
  assert.equal(challengeStatus(500, 'Bearer'), undefined);

  const route = 'http://127.0.0.1:8080/mcp/files';
  assert.equal(
    localWwwAuthenticate(header, route),
    'Bearer error="invalid_token", error_description="Missing Authorization header", ' +
      `resource_metadata="${route}/.well-known/oauth-protected-resource"`,
  );
  assert.equal(
    localWwwAuthenticate('Bearer realm="x"', route),
    `Bearer resource_metadata="${route}/.well-known/oauth-protected-resource", realm="x"`,
  );
  assert.equal(
    localWwwAuthenticate('Bearer', route),
    `Bearer resource_metadata="${route}/.well-known/oauth-protected-resource"`,
  );
  assert.deepEqual(localResourceMetadata(metadata, route), { ...metadata, resource: route });
});

test('trace context: from HTTP headers, from MCP _meta, into metadata; passed on unchanged when off', () => {
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  assert.deepEqual(traceContextOf({ traceparent, tracestate: 'a=b' }), { traceparent, tracestate: 'a=b' });
  assert.deepEqual(traceContextOf({ traceparent: [traceparent, 'x'] }), { traceparent });
  assert.equal(traceContextOf({ tracestate: 'a=b' }), undefined);
  assert.deepEqual(metaTraceContext({ params: { _meta: { traceparent } } }), { traceparent });
  assert.equal(metaTraceContext({ params: { _meta: { traceparent: 5 } } }), undefined);
  assert.equal(metaTraceContext({}), undefined);
  assert.deepEqual(toolOf({ method: 'tools/call', params: { name: 'get_weather' } }), {
    tool: 'get_weather',
  });
  assert.deepEqual(toolOf({ method: 'tools/list' }), {});
  assert.deepEqual(withTraceContext({ 'mcp-session-id': 's' }, { traceparent }), {
    'mcp-session-id': 's',
    traceparent,
  });
  const call = NO_CALL_OBSERVER.start({
    side: 'route',
    protocol: 'mcp',
    name: '/mcp/x',
    method: 'ping',
    parent: { traceparent },
  });
  assert.deepEqual(call.propagate, { traceparent });
});
