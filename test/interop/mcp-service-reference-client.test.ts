// Our MCP-over-SLIMRPC mapping (docs/mcp-over-slimrpc.md) is usable from the official SLIM SDKs: a
// reference SLIMRPC client (the bindings' Channel, raw bytes; MLS on, which our service demands)
// calls mcp.v1.McpService on a gateway's service (production wiring, our embedded node) and gets
// proper MCP answers: initialize, notifications/initialized through Notify, tools/list and
// tools/call through Request, then Close. Fails (never skips) if the reference cannot load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { testStdioBackend } from '../support/mcp/gateway.js';
import { backendYaml } from '../support/mcp/slim-pair.js';
import { SHARED_SECRET, startRealGateway } from '../support/real-gateway.js';
import { ReferencePeer } from '../support/reference.js';

type Outcome<T> = { ok: true; value: T } | { ok: false; code: number; message: string };

const CALL = `
  const ch = objects.get('ch');
  const md = new Map(Object.entries(args.metadata));
  const payload = te.encode(args.json).buffer;
  const text = (b) => td.decode(new Uint8Array(b));
  try {
    if (args.stream) {
      const reader = await ch.callUnaryStreamAsync('mcp.v1.McpService', args.method, payload, undefined, md);
      const out = [];
      for (;;) {
        const m = await reader.nextAsync();
        if (m.tag === 'Data') out.push(text(m.inner[0]));
        else if (m.tag === 'Error') throw m.inner[0];
        else return { ok: true, value: out };
      }
    }
    return { ok: true, value: [text(await ch.callUnaryAsync('mcp.v1.McpService', args.method, payload, undefined, md))] };
  } catch (e) {
    const inner = e?.inner ?? {};
    return { ok: false, code: Number(inner.code ?? -1), message: String(inner.message ?? e) };
  }`;

test('a reference SLIMRPC client speaks MCP to our service', { timeout: 180_000 }, async (t) => {
  const gateway = await startRealGateway(
    `slim: { node: embedded, listen: "127.0.0.1:0", name: acme/demo/server-gateway, sharedSecret: ${SHARED_SECRET} }
http: { listen: "127.0.0.1:0" }
services:
  - { name: acme/demo/tools, mcp: ${backendYaml(testStdioBackend())} }
`,
  );
  t.after(() => gateway.close());
  const peer = await ReferencePeer.start({ label: 'mcp-client' });
  t.after(() => peer.stop());
  await peer.run(
    `const me = new s.Name('acme', 'demo', 'ref-client');
     const app = svc.createAppWithSecret(me, args.secret);
     const conn = await svc.connectAsync(s.newInsecureClientConfig(args.endpoint));
     await app.subscribeAsync(me, conn);
     objects.set('ch', s.Channel.newWithConnection(app, new s.Name('acme', 'demo', 'tools'), conn));
     return true;`,
    { secret: SHARED_SECRET, endpoint: gateway.nodeUrl },
  );

  const session = randomUUID();
  const call = async (method: 'Request' | 'Notify' | 'Close', message: unknown, version?: string) => {
    const metadata: Record<string, string> = { 'mcp-session-id': session };
    if (version) metadata['mcp-protocol-version'] = version;
    const r = await peer.run<Outcome<string[]>>(
      CALL,
      { method, json: JSON.stringify(message), metadata, stream: method === 'Request' },
      60_000,
    );
    if (!r.ok) assert.fail(`${method} failed with status ${r.code}: ${r.message}\n${peer.logTail()}`);
    return r.value.map((s) => JSON.parse(s) as Record<string, unknown>);
  };

  const init = await call('Request', {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'reference', version: '2.2.0' },
    },
  });
  const initAnswer = init.at(-1)!;
  assert.equal(initAnswer['id'], 1, 'exactly one response, last, with the request id');
  const result = initAnswer['result'] as { protocolVersion: string; serverInfo: { name: string } };
  assert.equal(result.protocolVersion, '2025-06-18');
  assert.ok(result.serverInfo.name.length > 0);
  const version = result.protocolVersion;

  assert.deepEqual(await call('Notify', { jsonrpc: '2.0', method: 'notifications/initialized' }, version), [
    {},
  ]);

  const list = await call('Request', { jsonrpc: '2.0', id: 2, method: 'tools/list' }, version);
  assert.equal(list.length, 1);
  const tools = (list[0]!['result'] as { tools: { name: string }[] }).tools.map((x) => x.name);
  assert.ok(tools.includes('echo'), tools.join(','));

  const echo = await call(
    'Request',
    {
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'from Rust' } },
    },
    version,
  );
  assert.deepEqual(echo.at(-1), {
    jsonrpc: '2.0',
    id: 3,
    result: { content: [{ type: 'text', text: 'from Rust' }] },
  });
  assert.equal(gateway.mcpServices[0]!.sessionCount(), 1, 'one MCP session at the service');
  assert.deepEqual(await call('Close', {}, version), [{}]);
  assert.equal(gateway.mcpServices[0]!.sessionCount(), 0, 'Close ended it');
});
