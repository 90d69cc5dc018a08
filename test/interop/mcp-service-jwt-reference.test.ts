// A gateway with a JWT identity (slim.jwt + slim.trust, production wiring, our embedded node)
// serves MCP to a reference SLIMRPC client with a JWT identity (the bindings' `Jwt` provider and
// verifier, ES256, the same JWKS file), MLS on: initialize and tools/list answer. A reference
// client whose key the gateway does not trust gets no answer, and the gateway logs why (with the
// subject the token claims, never the token). Fails (never skips) if the reference cannot load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { captureLogs } from '../support/log-capture.js';
import { testStdioBackend } from '../support/mcp/gateway.js';
import { backendYaml } from '../support/mcp/slim-pair.js';
import { startRealGateway } from '../support/real-gateway.js';
import { ReferencePeer } from '../support/reference.js';
import { JWT_AUDIENCE, JWT_ISSUER, REF_CREATE_APP, jwtWorld, refJwtArgs } from '../support/reference-jwt.js';
import type { RefJwtArgs } from '../support/reference-jwt.js';

const CALL = `
  const ch = objects.get('ch');
  const md = new Map(Object.entries(args.metadata));
  const text = (b) => td.decode(new Uint8Array(b));
  try {
    const reader = await ch.callUnaryStreamAsync('mcp.v1.McpService', 'Request', te.encode(args.json).buffer, args.timeoutMs, md);
    const out = [];
    for (;;) {
      const m = await reader.nextAsync();
      if (m.tag === 'Data') out.push(text(m.inner[0]));
      else if (m.tag === 'Error') throw m.inner[0];
      else return { ok: true, value: out };
    }
  } catch (e) {
    const inner = e?.inner ?? {};
    return { ok: false, code: Number(inner.code ?? -1), message: String(inner.message ?? e) };
  }`;

async function referenceClient(endpoint: string, jwt: RefJwtArgs): Promise<ReferencePeer> {
  const peer = await ReferencePeer.start({ label: 'mcp-jwt-client' });
  await peer.run(
    `const me = new s.Name('acme', 'demo', 'ref-client');
     const app = ${REF_CREATE_APP};
     const conn = await svc.connectAsync(s.newInsecureClientConfig(args.endpoint));
     await app.subscribeAsync(me, conn);
     objects.set('ch', s.Channel.newWithConnection(app, new s.Name('acme', 'demo', 'tools'), conn));
     return true;`,
    { endpoint, jwt },
  );
  return peer;
}

type Outcome = { ok: true; value: string[] } | { ok: false; code: number; message: string };

test(
  'a reference client with a JWT identity speaks MCP to a JWT gateway; an untrusted one is refused',
  { timeout: 180_000 },
  async (t) => {
    const world = await jwtWorld(['acme/demo/server-gateway', 'acme/demo/ref-client']);
    t.after(() => world.close());
    const logs = captureLogs('info');
    const gateway = await startRealGateway(
      `slim:
  node: embedded
  listen: "127.0.0.1:0"
  name: acme/demo/server-gateway
  jwt: { keyFile: "${world.parties.get('acme/demo/server-gateway')!.keyFile}", issuer: "${JWT_ISSUER}", audience: [${JWT_AUDIENCE}] }
  trust: { keyFiles: ["${world.jwksFile}"], issuers: ["${JWT_ISSUER}"], audience: ${JWT_AUDIENCE} }
http: { listen: "127.0.0.1:0" }
services:
  - { name: acme/demo/tools, mcp: ${backendYaml(testStdioBackend())} }
`,
      { logger: logs.logger },
    );
    t.after(() => gateway.close());

    const peer = await referenceClient(
      gateway.nodeUrl!,
      refJwtArgs(world, world.parties.get('acme/demo/ref-client')!),
    );
    t.after(() => peer.stop());
    const metadata = { 'mcp-session-id': randomUUID() };
    const init = await peer.run<Outcome>(
      CALL,
      {
        json: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: {
            protocolVersion: '2025-06-18',
            capabilities: {},
            clientInfo: { name: 'reference', version: '2.1.2' },
          },
        }),
        metadata,
        timeoutMs: 30_000,
      },
      60_000,
    );
    assert.ok(init.ok, JSON.stringify(init));
    const answer = JSON.parse(init.value.at(-1)!) as { id: number; result: { protocolVersion: string } };
    assert.equal(answer.id, 1);
    assert.equal(answer.result.protocolVersion, '2025-06-18');
    const list = await peer.run<Outcome>(
      CALL,
      {
        json: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
        metadata: { ...metadata, 'mcp-protocol-version': '2025-06-18' },
        timeoutMs: 30_000,
      },
      60_000,
    );
    assert.ok(list.ok && list.value.some((v) => v.includes('"echo"')), JSON.stringify(list));
    assert.equal(logs.records.filter((r) => r['msg'] === 'peer identity refused').length, 0);

    // The same client name, a key the gateway does not trust.
    const stranger = await referenceClient(
      gateway.nodeUrl!,
      refJwtArgs(world, world.untrusted, { subject: 'acme/demo/ref-client' }),
    );
    t.after(() => stranger.stop());
    const refused = await stranger.run<Outcome>(
      CALL,
      {
        json: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
        metadata: { 'mcp-session-id': randomUUID() },
        timeoutMs: 5_000,
      },
      60_000,
    );
    assert.equal(refused.ok, false, JSON.stringify(refused));
    const logged = await logs.waitFor(/peer identity refused/);
    assert.match(String(logged['reason']), /untrusted key/);
    assert.equal(logged['claimedSubject'], 'acme/demo/ref-client');
    assert.doesNotMatch(JSON.stringify(logs.records), /eyJ[A-Za-z0-9_-]{10,}\./, 'no token in the logs');
  },
);
