// Component: the whole gateway (config → HTTP edge → group route → multicast + unicast SLIMRPC →
// services → real MCP servers) on in-memory deps with the real adapters. A reload that changes a
// group's members applies in place: connected clients keep their session, removed members leave
// the group, added ones are invited, and clients are told with list_changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { createGateway } from '../../src/gateway/index.js';
import { memoryDeps } from '../support/memory-deps.js';
import { silentLogger } from '../../src/util/log.js';
import { SECRET, configFrom } from '../support/config.js';
import { REPO_ROOT } from '../support/paths.js';
import { realA2aAdapter, realMcpAdapter } from '../../src/gateway/real-adapters.js';
import { until } from '../support/until.js';

const NODE = JSON.stringify(process.execPath);
const ROOT = JSON.stringify(REPO_ROOT);
const TEST_SERVER = JSON.stringify(join(REPO_ROOT, 'dist', 'test', 'fixtures', 'mcp', 'stdio-server.js'));
const WEATHER = JSON.stringify(join(REPO_ROOT, 'examples', 'servers', 'weather.js'));

const config = (members: string[], weather: boolean) => `
slim: { name: acme/demo/gateway, sharedSecret: ${SECRET} }
http: { listen: 127.0.0.1:0 }
services:
  - { name: acme/demo/alpha, mcp: { command: ${NODE}, args: [${TEST_SERVER}], cwd: ${ROOT} } }
  - { name: acme/demo/beta, mcp: { command: ${NODE}, args: [${TEST_SERVER}], cwd: ${ROOT} } }
${weather ? `  - { name: acme/demo/weather, mcp: { command: ${NODE}, args: [${WEATHER}], cwd: ${ROOT} } }` : ''}
routes:
  - { path: /mcp/group, mcp: { group: [${members.join(', ')}] }, timeoutMs: 20000 }
`;

test('a reload changes a group route in place; clients see list_changed', { timeout: 120_000 }, async (t) => {
  const deps = memoryDeps({ mcp: realMcpAdapter(), a2a: realA2aAdapter() });
  const gw = await createGateway(configFrom(config(['acme/demo/alpha', 'acme/demo/beta'], false)), deps, {
    logger: silentLogger,
  });
  t.after(() => gw.close(0));
  const client = new Client({ name: 'reload-test', version: '1.0.0' });
  let changed = 0;
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++);
  const transport = new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp/group`));
  await client.connect(transport);
  t.after(() => client.close());
  const session = transport.sessionId;
  const names = async () => (await client.listTools()).tools.map((x) => x.name);
  assert.ok((await names()).includes('beta_echo'));

  const before = changed;
  await gw.reload(configFrom(config(['acme/demo/alpha', 'acme/demo/weather'], true)));
  await until(() => changed > before, 'list_changed after the reload');
  const after = await names();
  assert.ok(after.includes('weather_get_forecast'), 'the added member is listed');
  assert.ok(after.includes('alpha_echo'));
  assert.ok(!after.some((n) => n.startsWith('beta_')), 'the removed member is not');
  assert.equal(transport.sessionId, session, 'the client kept its session');
  const res = await client.callTool({ name: 'weather_get_forecast', arguments: { city: 'Osaka', days: 1 } });
  assert.match(JSON.stringify(res.content), /Osaka/);
});
