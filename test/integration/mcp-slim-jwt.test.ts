// Two gateways with JWT identities (slim.jwt + slim.trust, production wiring): an MCP tool call
// goes through, MLS on, with JWTs in the SLIM headers the node sees (never the call's content).
// A client gateway whose key the server side does not trust gets a clear error (the likely cause
// named) and no answer; the server gateway logs the refusal with its reason, never the token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { captureLogs } from '../support/log-capture.js';
import { testStdioBackend } from '../support/mcp/gateway.js';
import { startSlimPair } from '../support/mcp/slim-pair.js';
import { JWT_AUDIENCE, JWT_ISSUER, jwtWorld } from '../support/reference-jwt.js';
import type { JwtParty, JwtWorld } from '../support/reference-jwt.js';

const SECRET_ARGUMENT = 'attack-at-dawn-7f3a9c';

function jwtYaml(world: JwtWorld, party: JwtParty): string {
  return (
    `jwt: { keyFile: "${party.keyFile}", subject: ${party.subject}, issuer: "${JWT_ISSUER}", audience: [${JWT_AUDIENCE}] }, ` +
    `trust: { keyFiles: ["${world.jwksFile}"], issuers: ["${JWT_ISSUER}"], audience: ${JWT_AUDIENCE} }`
  );
}

test(
  'two JWT gateways: an MCP call through, tokens in clear, content encrypted',
  { timeout: 120_000 },
  async (t) => {
    const world = await jwtWorld(['acme/demo/server-gateway', 'acme/demo/gateway']);
    t.after(() => world.close());
    const pair = await startSlimPair(testStdioBackend(), {
      tap: true,
      identity: (side) =>
        jwtYaml(
          world,
          world.parties.get(side === 'server' ? 'acme/demo/server-gateway' : 'acme/demo/gateway')!,
        ),
    });
    t.after(() => pair.close());
    const client = new Client({ name: 'c', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(pair.url)));
    const res = await client.callTool({ name: 'echo', arguments: { text: SECRET_ARGUMENT } });
    assert.deepEqual(res.content, [{ type: 'text', text: SECRET_ARGUMENT }]);
    await client.close();
    const frames = [...pair.client.taps, ...pair.server.taps].flatMap((tap) => tap.toNode);
    const seen = (text: string) =>
      frames.some((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength).includes(Buffer.from(text)));
    assert.ok(seen('eyJ'), 'JWTs travel in the SLIM headers');
    assert.equal(seen(SECRET_ARGUMENT), false);
  },
);

test(
  'a client gateway with an untrusted key: a clear error, no answer, the refusal logged',
  { timeout: 120_000 },
  async (t) => {
    const world = await jwtWorld(['acme/demo/server-gateway', 'acme/demo/gateway']);
    t.after(() => world.close());
    const serverLogs = captureLogs('info');
    const pair = await startSlimPair(testStdioBackend(), {
      identity: (side) =>
        side === 'server'
          ? jwtYaml(world, world.parties.get('acme/demo/server-gateway')!)
          : jwtYaml(world, { ...world.untrusted, subject: 'acme/demo/gateway' }),
      loggers: { server: serverLogs.logger },
    });
    t.after(() => pair.close());
    const client = new Client({ name: 'c', version: '1' });
    const failed = await client
      .connect(new StreamableHTTPClientTransport(new URL(pair.url)))
      .then(() => client.callTool({ name: 'echo', arguments: { text: SECRET_ARGUMENT } }))
      .then(
        (r) => ({ ok: true as const, r }),
        (e: unknown) => ({ ok: false as const, message: String(e) }),
      );
    assert.equal(failed.ok, false, JSON.stringify(failed));
    if (!failed.ok) assert.match(failed.message, /does not accept our identity/);
    const logged = await serverLogs.waitFor(/peer identity refused/);
    assert.match(String(logged['reason']), /untrusted key/);
    assert.equal(logged['claimedSubject'], 'acme/demo/gateway');
    assert.doesNotMatch(JSON.stringify(serverLogs.records), /eyJ[A-Za-z0-9_-]{10,}\./);
    await client.close();
  },
);
