// Integration: a whole gateway started from a configuration file, over real SLIM with MLS (the
// embedded node, one SLIM app per service and one for the routes), with an MCP group route. Editing
// the file to add a member to the group reaches a connected MCP client (the official SDK) as
// list_changed, and the new member's tools are listed and callable; the client's session stays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { loadConfigFile } from '../../src/config/load.js';
import { watchConfigFile } from '../../src/config/reload.js';
import { createGateway } from '../../src/gateway/index.js';
import { silentLogger } from '../../src/util/log.js';
import { SECRET } from '../support/config.js';
import { REPO_ROOT } from '../support/paths.js';
import { realDeps } from '../../src/gateway/real-deps.js';
import { until } from '../support/until.js';

const q = JSON.stringify;
const NODE = q(process.execPath);
const TEST_SERVER = q(join(REPO_ROOT, 'dist', 'test', 'fixtures', 'mcp', 'stdio-server.js'));
const WEATHER = q(join(REPO_ROOT, 'examples', 'servers', 'weather.js'));

const config = (members: string[]) => `
slim: { node: embedded, listen: 127.0.0.1:0, name: acme/demo/gateway, sharedSecret: ${SECRET} }
http: { listen: 127.0.0.1:0 }
services:
  - { name: acme/demo/alpha, mcp: { command: ${NODE}, args: [${TEST_SERVER}] } }
  - { name: acme/demo/weather, mcp: { command: ${NODE}, args: [${WEATHER}] } }
routes:
  - { path: /mcp/group, mcp: { group: [${members.join(', ')}] }, timeoutMs: 20000 }
`;

test(
  'editing the configuration adds a member to a running group over real SLIM',
  { timeout: 120_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'groups-slim-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, config(['acme/demo/alpha']));
    const gw = await createGateway(loadConfigFile(file, {}), realDeps(), { logger: silentLogger });
    t.after(() => gw.close(0));
    const watcher = watchConfigFile(file, {
      env: {},
      logger: silentLogger,
      debounceMs: 50,
      onChange: async (c) => void (await gw.reload(c)),
    });
    t.after(() => watcher.close());
    assert.ok(gw.readiness().ready, gw.readiness().reasons.join('; '));

    const client = new Client({ name: 'reload-over-slim', version: '1.0.0' });
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++);
    const transport = new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp/group`));
    await client.connect(transport);
    t.after(() => client.close());
    const session = transport.sessionId;
    const before = (await client.listTools()).tools.map((x) => x.name);
    assert.ok(before.includes('alpha_echo'));
    assert.ok(!before.some((n) => n.startsWith('weather_')));

    const seen = changed;
    writeFileSync(file, config(['acme/demo/alpha', 'acme/demo/weather']));
    await until(() => changed > seen, 'list_changed after the configuration changed', 60_000);
    const after = (await client.listTools()).tools.map((x) => x.name);
    assert.ok(after.includes('weather_get_forecast'), after.join(', '));
    assert.ok(after.includes('alpha_echo'));
    assert.equal(transport.sessionId, session, 'the client kept its session');
    const res = await client.callTool({
      name: 'weather_get_forecast',
      arguments: { city: 'Santiago', days: 1 },
    });
    assert.match(JSON.stringify(res.content), /Santiago/);
    const r = await client.callTool({ name: 'alpha_echo', arguments: { text: 'still here' } });
    assert.deepEqual(r.content, [{ type: 'text', text: 'still here' }]);
  },
);
