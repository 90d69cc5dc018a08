// Many MCP clients on one route over real SLIM: 40 SDK clients, each with its own MCP session and
// its GET stream open (one SLIMRPC Listen each, held for minutes), then each calls a tool. All are
// answered: the route's channel does not let long-lived Listen streams starve the requests
// (a per-channel bound of 32 calls would hold every request behind them; src/gateway/real-deps.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startSlimPair } from '../support/mcp/slim-pair.js';
import { startTestHttpServer } from '../support/mcp/test-server.js';

const CLIENTS = 40;

test(
  `${CLIENTS} MCP sessions with their GET streams on one route, all answered`,
  { timeout: 180_000 },
  async (t) => {
    const server = await startTestHttpServer();
    const pair = await startSlimPair({ kind: 'http', url: server.url });
    const clients: Client[] = [];
    t.after(async () => {
      await Promise.all(clients.map((c) => c.close()));
      await pair.close();
      await server.close();
    });
    for (let i = 0; i < CLIENTS; i++) {
      const c = new Client({ name: `c${i}`, version: '1' });
      await c.connect(new StreamableHTTPClientTransport(new URL(pair.url)));
      clients.push(c);
    }
    // Every session holds a Listen (its GET stream) from here on.
    for (
      let i = 0;
      i < 200 &&
      (await pair.metrics.render()).match(/mcp_egress_sessions\{[^}]*\} (\d+)/)?.[1] !== String(CLIENTS);
      i++
    )
      await new Promise((r) => setTimeout(r, 25));
    assert.equal(pair.service.sessionCount(), CLIENTS);
    const answers = await Promise.all(
      clients.map((c, i) => c.callTool({ name: 'echo', arguments: { text: `#${i}` } })),
    );
    answers.forEach((a, i) => assert.deepEqual(a.content, [{ type: 'text', text: `#${i}` }]));
  },
);
