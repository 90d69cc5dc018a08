// Integration: the access rules through two gateways over real SLIM with MLS (production deps).
// The server side offers MCP services and an A2A agent with `allow` lists and a `tools` filter;
// the client side (acme/clients/app, a name some lists allow and others do not) serves routes to
// them, one with its own `tools` filter, one a group. Seen by the official MCP SDK client and the
// @a2a-js/sdk client: a caller outside `allow` gets an error naming the reason (and the refusing
// side logs the caller's identity), denied tools are absent from tools/list and refused at call
// on either side, and a group's member that does not allow the caller stays out of the group.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ClientFactory } from '@a2a-js/sdk/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { plannerCard, startPlannerAgent } from '../../examples/agents/planner-agent.js';
import type { PlannerAgent } from '../../examples/agents/planner-agent.js';
import { captureLogs } from '../support/log-capture.js';
import type { CapturedLogs } from '../support/log-capture.js';
import { REPO_ROOT } from '../support/paths.js';
import { SHARED_SECRET, startRealGateway } from '../support/real-gateway.js';
import type { RealGateway } from '../support/real-gateway.js';

const T = { timeout: 120_000 };
const q = JSON.stringify;
const TEST_SERVER = `{ command: ${q(process.execPath)}, args: [${q(join(REPO_ROOT, 'dist', 'test', 'fixtures', 'mcp', 'stdio-server.js'))}] }`;

async function mcpClient(url: string): Promise<Client> {
  const client = new Client({ name: 'access-rules', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

describe('access rules between two gateways over SLIM (MLS on)', () => {
  let agent: PlannerAgent;
  let server: RealGateway;
  let client: RealGateway;
  let serverLogs: CapturedLogs;
  let clientLogs: CapturedLogs;

  before(async () => {
    agent = await startPlannerAgent({ port: 0, stepDelayMs: 0 });
    serverLogs = captureLogs('info');
    server = await startRealGateway(
      `slim: { node: embedded, listen: "127.0.0.1:0", name: acme/demo/server-gateway, sharedSecret: ${SHARED_SECRET} }
http: { listen: "127.0.0.1:0" }
services:
  - name: acme/demo/open
    mcp: ${TEST_SERVER}
    allow: [acme/clients/*]
    tools: { deny: [stats] }
  - name: acme/demo/closed
    mcp: ${TEST_SERVER}
    allow: [acme/ops/dashboard, acme/clients/other]
  - name: acme/demo/planner
    a2a: { url: ${agent.url} }
    allow: ['acme/ops/**']
`,
      { logger: serverLogs.logger },
    );
    clientLogs = captureLogs('info');
    client = await startRealGateway(
      `slim: { node: "${server.nodeUrl}", name: acme/clients/app, sharedSecret: ${SHARED_SECRET} }
http: { listen: "127.0.0.1:0" }
routes:
  - { path: /mcp/open, mcp: acme/demo/open, tools: { deny: [slow, 'big*'] } }
  - { path: /mcp/closed, mcp: acme/demo/closed }
  - { path: /mcp/group, mcp: { group: [acme/demo/open, acme/demo/closed] }, timeoutMs: 3000 }
  - { path: /a2a/planner, a2a: acme/demo/planner }
`,
      { logger: clientLogs.logger },
    );
  });
  after(async () => {
    await client?.close();
    await server?.close();
    await agent?.close();
  });

  test('MCP: a caller outside allow gets a JSON-RPC error naming why; the service logs who', T, async () => {
    const err = await mcpClient(`${client.url}/mcp/closed`).then(
      () => assert.fail('the refused caller connected'),
      (e: unknown) => e as Error,
    );
    assert.match(err.message, /refused the caller/);
    assert.match(
      err.message,
      /caller acme\/clients\/app is not allowed: not in the allow list of acme\/demo\/closed/,
    );
    const line = await serverLogs.waitFor(/call refused: caller not allowed/);
    assert.equal(line['caller'], 'acme/clients/app');
    assert.equal(line['service'], 'mcp.v1.McpService');
    for (const r of serverLogs.records) {
      const text = JSON.stringify(r);
      assert.ok(!text.includes('"jsonrpc"'), 'no payload is logged');
      assert.ok(!/:[A-Za-z0-9_-]{43}"/.test(text), 'no identity token is logged');
    }
  });

  test('MCP: tools denied by the service or the route are not listed and refused at call', T, async () => {
    const mcp = await mcpClient(`${client.url}/mcp/open`);
    try {
      const names = (await mcp.listTools()).tools.map((t) => t.name).sort();
      assert.deepEqual(names, ['echo', 'log', 'progress', 'sample']);
      const echo = await mcp.callTool({ name: 'echo', arguments: { text: 'allowed' } });
      assert.deepEqual(echo.content, [{ type: 'text', text: 'allowed' }]);
      await assert.rejects(mcp.callTool({ name: 'stats', arguments: {} }), (e: Error & { code?: number }) => {
        assert.equal(e.code, -32602);
        assert.match(
          e.message,
          /stats is not available: denied by the tools filter of MCP service acme\/demo\/open/,
        );
        return true;
      });
      await assert.rejects(mcp.callTool({ name: 'slow', arguments: {} }), (e: Error & { code?: number }) => {
        assert.equal(e.code, -32602);
        assert.match(e.message, /slow is not available: denied by the tools filter of route \/mcp\/open/);
        return true;
      });
      await assert.rejects(
        mcp.callTool({ name: 'big', arguments: { bytes: 10 } }),
        /denied by the tools filter of route/,
      );
      const refused = await serverLogs.waitFor(/tool call refused by the tools filter/);
      assert.equal(refused['tool'], 'stats');
      assert.equal(refused['caller'], 'acme/clients/app');
      const local = await clientLogs.waitFor(/tool call refused by the route tools filter/);
      assert.equal(local['tool'], 'slow');
      assert.ok(
        !serverLogs.records.some((r) => r['tool'] === 'slow'),
        'a call the route refuses never reaches the service',
      );
    } finally {
      await mcp.close();
    }
  });

  test(
    'MCP group: the member that does not allow the caller stays out; the other is listed, filtered',
    T,
    async () => {
      const mcp = await mcpClient(`${client.url}/mcp/group`);
      try {
        const refusal = await serverLogs.waitFor(/session refused by the accept policy/);
        assert.equal(refusal['caller'], 'acme/clients/app');
        // The refused invitation is answered at once (GROUP_NACK with the reason), so the first
        // call, which waits for the invitations, goes out within the route's 3 s deadline.
        const names = (await mcp.listTools()).tools.map((t) => t.name);
        const failed = await clientLogs.waitFor(/group member failed/);
        assert.match(
          String(failed['err']),
          /acme\/demo\/closed refused to join: acme\/demo\/closed does not accept acme\/clients\/app/,
        );
        assert.ok(names.includes('open_echo'), names.join(', '));
        assert.ok(!names.includes('open_stats'), 'the service-side filter holds in the merged list');
        assert.ok(!names.some((n) => n.startsWith('closed_')), names.join(', '));
        const echo = await mcp.callTool({ name: 'open_echo', arguments: { text: 'via the group' } });
        assert.deepEqual(echo.content, [{ type: 'text', text: 'via the group' }]);
      } finally {
        await mcp.close();
      }
    },
  );

  test(
    'A2A: a caller outside allow gets an A2A JSON-RPC error naming why; the agent side logs who',
    T,
    async () => {
      const card = await fetch(`${client.url}/a2a/planner/.well-known/agent-card.json`);
      assert.equal(card.status, 403);
      assert.match(
        ((await card.json()) as { error: string }).error,
        /caller acme\/clients\/app is not allowed: not in the allow list of acme\/demo\/planner/,
      );
      // The card is refused too: the client is built from the agent's own card, pointed at the route.
      const a2a = await new ClientFactory().createFromAgentCard(plannerCard(`${client.url}/a2a/planner`));
      await assert.rejects(
        a2a.sendMessage({
          message: { messageId: crypto.randomUUID(), role: 'ROLE_USER', parts: [{ text: 'hi' }] },
        } as never),
        (e: Error) => {
          assert.match(
            e.message,
            /refused the caller: caller acme\/clients\/app is not allowed: not in the allow list of acme\/demo\/planner/,
          );
          return true;
        },
      );
      const line = await serverLogs.waitFor(/call refused: caller not allowed/);
      assert.ok(
        serverLogs.records.some(
          (r) => r['caller'] === 'acme/clients/app' && String(r['service']).includes('A2AService'),
        ),
        `logged: ${JSON.stringify(line)}`,
      );
    },
  );
});
