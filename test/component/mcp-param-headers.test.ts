// Component: a tool whose inputSchema declares `x-mcp-header` (MCP 2026-07-28 "Schema Extension")
// on a Streamable HTTP server behind the gateway pair. The official v2 SDK server rejects a call
// without the matching Mcp-Param-* header, so the server-side gateway must send it as a client
// would: also when the client never listed the tools, and for values that need the base64 form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { paramHeaders, scanParamDeclarations } from '../../src/adapters/mcp/egress/param-headers.js';
import { startGateway } from '../support/mcp/gateway.js';
import { startModernServer } from '../support/mcp/modern-server.js';

test('x-mcp-header declarations and the headers built from arguments', () => {
  const decls = scanParamDeclarations({
    type: 'object',
    properties: {
      region: { type: 'string', 'x-mcp-header': 'Region' },
      deep: { type: 'object', properties: { n: { type: 'integer', 'x-mcp-header': 'N' } } },
      list: { type: 'array', items: { type: 'string', 'x-mcp-header': 'Item' } },
      bad: { type: 'string', 'x-mcp-header': 'has space' },
      obj: { type: 'object', 'x-mcp-header': 'Obj' },
    },
  });
  assert.deepEqual(decls, [
    { path: ['region'], header: 'Region' },
    { path: ['deep', 'n'], header: 'N' },
  ]);
  assert.deepEqual(paramHeaders(decls, { region: 'eu-west', deep: { n: 7 } }), {
    'mcp-param-region': 'eu-west',
    'mcp-param-n': '7',
  });
  assert.deepEqual(paramHeaders(decls, { region: 'Zürich', deep: null }), {
    'mcp-param-region': `=?base64?${Buffer.from('Zürich').toString('base64')}?=`,
  });
});

test('the gateway sends Mcp-Param-* headers to a modern HTTP server', { timeout: 120_000 }, async (t) => {
  const server = await startModernServer();
  t.after(() => server.close());
  const gw = await startGateway({ kind: 'http', url: server.url });
  t.after(() => gw.close());
  const client = new Client(
    { name: 'param-headers', version: '2.0.0' },
    { versionNegotiation: { mode: 'auto' } },
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(gw.url)));
  t.after(() => client.close());
  assert.equal(client.getNegotiatedProtocolVersion(), '2026-07-28');

  await t.test('a call before any tools/list', async () => {
    const res = await client.callTool({ name: 'region', arguments: { region: 'eu-west' } });
    assert.deepEqual(res.content, [{ type: 'text', text: 'region eu-west' }]);
    assert.ok(server.regionHeaders.includes('eu-west'), 'the server received Mcp-Param-Region');
  });

  await t.test('after tools/list, and a value carried in base64', async () => {
    const { tools } = await client.listTools();
    assert.ok(tools.some((x) => x.name === 'region'));
    const res = await client.callTool({ name: 'region', arguments: { region: 'Zürich' } });
    assert.deepEqual(res.content, [{ type: 'text', text: 'region Zürich' }]);
  });

  await t.test('tools without declarations are called as before', async () => {
    const res = await client.callTool({ name: 'echo', arguments: { text: 'plain' } });
    assert.deepEqual(res.content, [{ type: 'text', text: 'plain' }]);
  });
});
