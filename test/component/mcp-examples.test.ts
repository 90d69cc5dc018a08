// Component: the example MCP server (examples/servers/weather.js, plain JS run by `npm start`)
// served through the gateway pair to both SDK generations, and the Claude Desktop example config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  Client as V2Client,
  StreamableHTTPClientTransport as V2Transport,
} from '@modelcontextprotocol/client';
import { REPO_ROOT } from '../support/paths.js';
import { startGateway } from '../support/mcp/gateway.js';
import { assertProgress, recordIncoming } from '../support/mcp/record.js';

const WEATHER = join(REPO_ROOT, 'examples', 'servers', 'weather.js');

test('examples/servers/weather.js is valid JavaScript', () => {
  const r = spawnSync(process.execPath, ['--check', WEATHER], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('the weather example through the gateway pair, legacy (v1 client) and modern (v2 client)', async (t) => {
  const gw = await startGateway({ kind: 'stdio', command: process.execPath, args: [WEATHER] });
  t.after(() => gw.close());
  const v1 = new V1Client({ name: 'v1', version: '1' });
  const t1 = new V1Transport(new URL(gw.url));
  await v1.connect(t1);
  t.after(() => v1.close());
  const v2 = new V2Client({ name: 'v2', version: '2' }, { versionNegotiation: { mode: 'auto' } });
  const t2 = new V2Transport(new URL(gw.url));
  await v2.connect(t2);
  t.after(() => v2.close());
  const wires = { v1: recordIncoming(t1), v2: recordIncoming(t2) };
  assert.equal(v2.getNegotiatedProtocolVersion(), '2026-07-28');
  assert.ok((v1.getServerVersion()?.name ?? '') === 'example-weather');

  for (const [label, client] of [
    ['v1', v1],
    ['v2', v2],
  ] as const) {
    const { tools } = await client.listTools();
    assert.deepEqual(
      tools.map((x) => x.name),
      ['get_forecast'],
      label,
    );
    const progress: number[] = [];
    wires[label].reset();
    const onprogress = (p: { progress: number }) => void progress.push(p.progress);
    const call = { name: 'get_forecast', arguments: { city: 'Lisbon', days: 3 } };
    // The two SDK generations take request options at different positions.
    const res =
      label === 'v1'
        ? await v1.callTool(call, undefined, { onprogress })
        : await v2.callTool(call, { onprogress });
    assertProgress(wires[label], progress, [1, 2, 3]);
    assert.match((res.content as { text: string }[])[0]!.text, /^Forecast for Lisbon:\nDay 1: /, label);
    const read = await client.readResource({ uri: 'weather://cities' });
    assert.ok(
      (JSON.parse((read.contents[0] as { text: string }).text) as string[]).includes('Lisbon'),
      label,
    );
    const prompt = await client.getPrompt({ name: 'plan_trip', arguments: { city: 'Osaka' } });
    assert.match(JSON.stringify(prompt.messages), /travelling to Osaka/, label);
  }
});

test('examples/claude-desktop.json launches `slim-gateway stdio` for the weather route', () => {
  const config = JSON.parse(readFileSync(join(REPO_ROOT, 'examples', 'claude-desktop.json'), 'utf8')) as {
    mcpServers: Record<string, { command: string; args: string[] }>;
  };
  const entry = Object.values(config.mcpServers)[0]!;
  assert.match(entry.args[0]!, /bin\/slim-gateway$/);
  assert.equal(entry.args[1], 'stdio');
  assert.equal(entry.args[entry.args.indexOf('--route') + 1], '/mcp/weather');
  assert.ok(entry.args.includes('--config'));
});
