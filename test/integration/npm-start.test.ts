// What `npm start` runs, as a newcomer would use it: `slim-gateway run --config config/gateway.yaml`
// (the shipped file, ports moved to free ones through its variables) starts the embedded SLIM node,
// the example MCP server and A2A agent, and the local routes, with MLS on. The official MCP SDK
// client calls a tool at the printed URL (the call crosses SLIM: the egress sees the gateway's app
// as its caller), and so does the example client of the README; the agent card answers; SIGTERM stops everything and exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { runExampleClient } from '../../examples/agents/client.js';
import { logMatching, startRun, stop } from '../support/gateway-process.js';
import { http } from '../support/http.js';
import { REPO_ROOT } from '../support/paths.js';
import { freePort } from '../support/reference.js';

test(
  'npm start: the default configuration serves the example tool over SLIM',
  { timeout: 180_000 },
  async (t) => {
    const [node, web, agent] = [await freePort(), await freePort(), await freePort()];
    const { child, url } = await startRun(t, join(REPO_ROOT, 'config', 'gateway.yaml'), {
      SLIM_LISTEN: `127.0.0.1:${node}`,
      HTTP_LISTEN: `127.0.0.1:${web}`,
      PLANNER_PORT: String(agent),
    });
    assert.equal(url, `http://127.0.0.1:${web}`);

    // The banner a newcomer reads: the node, MLS on, and the URL to point an MCP client at.
    await child.waitForLog(
      logMatching(new RegExp(`SLIM node  embedded node on 127\\.0\\.0\\.1:${node} \\(MLS on\\)`)),
      'node banner',
    );
    const mcpUrl = `${url}/mcp/weather`;
    await child.waitForLog(
      (l) => l.msg.includes(`MCP route  ${mcpUrl} -> acme/demo/weather`),
      'MCP route banner',
    );
    const readyz = await http(`${url}/readyz`);
    assert.equal(readyz.status, 200, readyz.text);

    const client = new Client({ name: 'newcomer', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl)));
    const { tools } = await client.listTools();
    assert.deepEqual(
      tools.map((x) => x.name),
      ['get_forecast'],
    );
    const res = await client.callTool({ name: 'get_forecast', arguments: { city: 'Lisbon', days: 2 } });
    const text = (res.content as { type: string; text: string }[])[0]!.text;
    assert.match(text, /^Forecast for Lisbon:\nDay 1: .*\nDay 2: /);
    await client.close();
    // The same route at <route>/mcp, the form the MCP Inspector 0.15 needs (README).
    const inspectorForm = new Client({ name: 'inspector-like', version: '1.0.0' });
    await inspectorForm.connect(new StreamableHTTPClientTransport(new URL(`${mcpUrl}/mcp`)));
    assert.deepEqual(
      (await inspectorForm.listTools()).tools.map((x) => x.name),
      ['get_forecast'],
    );
    await inspectorForm.close();

    // The call reached the MCP server through the service's SLIM app, from the gateway's own app.
    const gatewayName = (await child.waitForLog(logMatching(/^connected to the SLIM node$/), 'connected'))[
      'name'
    ];
    const opened = await child.waitForLog(
      (l) => l.msg === 'MCP session opened' && l['component'] === 'mcp-egress',
      'egress session',
    );
    assert.equal(opened['caller'], gatewayName);
    assert.match(String(gatewayName), /^acme\/demo\/gateway\/[0-9a-f]{32}$/);
    // Each app's instance id is logged as the full 32 hex digits of its SLIM name.
    const appIds = child.logs.filter((l) => l.msg === 'app ready').map((l) => String(l['id']));
    assert.ok(appIds.length >= 3, 'the gateway and both services logged their app');
    for (const id of appIds) assert.match(id, /^[0-9a-f]{32}$/);
    assert.ok(appIds.includes(String(gatewayName).split('/')[3]!));

    // The README's way to try it: the example MCP client (v2 SDK, 2026-07-28 when the server has it).
    const example = spawnSync(
      process.execPath,
      [
        join(REPO_ROOT, 'dist', 'examples', 'clients', 'mcp-call.js'),
        mcpUrl,
        'get_forecast',
        '{"city":"Osaka"}',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(example.status, 0, example.stderr);
    assert.match(example.stdout, /^Forecast for Osaka:\nDay 1: /);

    // The example A2A agent was spawned and is offered too.
    const card = await http(`${url}/a2a/planner/.well-known/agent-card.json`);
    assert.equal(card.status, 200, card.text);
    assert.equal(card.json<{ name: string }>().name, 'Planner');
    // The README's A2A example client (@a2a-js/sdk) at the A2A route: the card, a message, and a
    // streamed plan, each call over SLIM to the spawned agent.
    const lines: string[] = [];
    await runExampleClient(`${url}/a2a/planner`, (l) => lines.push(l));
    assert.match(
      lines[0]!,
      /^agent: Planner \(JSONRPC http:\/\/127\.0\.0\.1:\d+\/a2a\/planner, .*slim:\/\/acme\/demo\/planner/,
    );
    assert.equal(lines[1], 'message: You said: hello');
    assert.equal(lines.filter((l) => l.startsWith('artifact plan: ')).length, 3);
    assert.equal(lines.at(-1), 'status: completed Plan ready');

    assert.equal(await stop(child), 0);
    // Its children went with it: the agent's port is closed.
    await assert.rejects(fetch(`http://127.0.0.1:${agent}/.well-known/agent-card.json`));
  },
);
