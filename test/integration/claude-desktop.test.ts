// The documented Claude Desktop launch, as a client that launches servers runs it: `npm start`'s
// configuration running, and the entry of examples/claude-desktop.json (its paths pointed at this
// checkout) started by the official MCP SDK's stdio client, which lists and calls the example tool
// over SLIM. Neither side sets SLIM_SHARED_SECRET, so both use the same development secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startRun } from '../support/gateway-process.js';
import { REPO_ROOT } from '../support/paths.js';
import { freePort } from '../support/reference.js';

interface Entry {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

test(
  'examples/claude-desktop.json reaches the tool of a running npm start',
  { timeout: 180_000 },
  async (t) => {
    const node = `127.0.0.1:${await freePort()}`;
    // npm start's configuration; only its ports moved (to free ones).
    const env = {
      SLIM_LISTEN: node,
      HTTP_LISTEN: `127.0.0.1:${await freePort()}`,
      PLANNER_PORT: String(await freePort()),
    };
    await startRun(t, join(REPO_ROOT, 'config', 'gateway.yaml'), env);

    const file = JSON.parse(readFileSync(join(REPO_ROOT, 'examples', 'claude-desktop.json'), 'utf8')) as {
      mcpServers: Record<string, Entry>;
    };
    const entry = Object.values(file.mcpServers)[0]!;
    assert.equal(entry.env?.['SLIM_SHARED_SECRET'], undefined, 'no secret that npm start does not use');
    const args = entry.args.map((a) => a.replace('/path/to/slim-gateway', REPO_ROOT));
    const client = new Client({ name: 'desktop-like', version: '1.0.0' });
    const transport = new StdioClientTransport({
      command: entry.command === 'node' ? process.execPath : entry.command,
      args,
      // What a desktop client passes: its own small environment, the entry's env, and (here) the moved port.
      env: { ...getDefaultEnvironment(), ...entry.env, SLIM_LISTEN: node },
      stderr: 'pipe',
    });
    t.after(() => client.close());
    await client.connect(transport);
    const { tools } = await client.listTools();
    assert.deepEqual(
      tools.map((x) => x.name),
      ['get_forecast'],
    );
    const res = await client.callTool({ name: 'get_forecast', arguments: { city: 'Nairobi', days: 1 } });
    assert.match((res.content as { text: string }[])[0]!.text, /^Forecast for Nairobi:\nDay 1: /);
  },
);
