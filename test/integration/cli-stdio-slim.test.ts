// `slim-gateway stdio` launched by the MCP SDK's StdioClientTransport, as Claude Desktop launches a
// server command, next to a `slim-gateway run` process that serves the embedded node and the
// services (server-everything and the example weather server), MLS on. Two stdio processes on the
// same route at once are two SLIM instances (each its own app id): each gets its own answers, and
// the service sees two distinct callers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { BIN, logMatching, startRun, stop, writeConfig } from '../support/gateway-process.js';
import { assertProgress, recordIncoming } from '../support/mcp/record.js';
import { REPO_ROOT } from '../support/paths.js';
import { freePort } from '../support/reference.js';
import { SHARED_SECRET } from '../support/real-gateway.js';

const EVERYTHING = join(
  REPO_ROOT,
  'node_modules',
  '@modelcontextprotocol',
  'server-everything',
  'dist',
  'index.js',
);
const WEATHER = join(REPO_ROOT, 'examples', 'servers', 'weather.js');

/** An MCP client that launches `slim-gateway stdio` for `route`, as a desktop client would. */
async function launch(file: string, route: string) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'stdio', '--config', file, '--route', route],
    env: { ...(process.env as Record<string, string>), SLIM_GATEWAY_LOG_FORMAT: 'json' },
    stderr: 'pipe',
  });
  const stderr: string[] = [];
  (transport.stderr as Readable | null)?.on('data', (d: Buffer) => stderr.push(d.toString()));
  const client = new Client({ name: 'desktop', version: '1.0.0' }, { capabilities: { sampling: {} } });
  client.setRequestHandler(CreateMessageRequestSchema, () => ({
    model: 'desktop-model',
    role: 'assistant' as const,
    content: { type: 'text' as const, text: 'sampled over stdio' },
  }));
  try {
    await client.connect(transport);
  } catch (err) {
    throw new Error(`stdio gateway did not connect: ${String(err)}\n${stderr.join('')}`);
  }
  return { client, stderr, wire: recordIncoming(transport) };
}

test(
  'slim-gateway stdio, launched by the SDK, reaches services of a running gateway',
  { timeout: 180_000 },
  async (t) => {
    const node = await freePort();
    const file = writeConfig(
      t,
      `slim: { node: embedded, listen: "127.0.0.1:${node}", name: acme/demo/gateway, sharedSecret: ${SHARED_SECRET} }
http: { listen: "127.0.0.1:0" }
services:
  - name: acme/demo/everything
    mcp: { command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(EVERYTHING)}, stdio] }
  - name: acme/demo/weather
    mcp: { command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(WEATHER)}] }
routes:
  - { path: /mcp/everything, mcp: acme/demo/everything }
  - { path: /mcp/weather, mcp: acme/demo/weather }
`,
    );
    const { child: run } = await startRun(t, file);
    const runName = (await run.waitForLog(logMatching(/^connected to the SLIM node$/), 'connected'))['name'];

    const a = await launch(file, '/mcp/everything');
    const b = await launch(file, '/mcp/everything');
    const w = await launch(file, '/mcp/weather');
    t.after(() => Promise.all([a.client.close(), b.client.close(), w.client.close()]));
    assert.equal(a.client.getServerVersion()?.name, 'mcp-servers/everything');

    await t.test('two stdio processes on one route, at once, each get their own answers', async () => {
      const [ra, rb] = await Promise.all(
        [a, b].map((c, i) => c.client.callTool({ name: 'echo', arguments: { message: `from ${i}` } })),
      );
      assert.deepEqual(ra!.content, [{ type: 'text', text: 'Echo: from 0' }]);
      assert.deepEqual(rb!.content, [{ type: 'text', text: 'Echo: from 1' }]);
      const callers = new Set(
        run.logs
          .filter(
            (l) => l.msg === 'MCP session opened' && l['service'] === 'acme/demo/everything' && l['caller'],
          )
          .map((l) => String(l['caller'])),
      );
      assert.equal(callers.size, 2, `two distinct SLIM instances: ${[...callers].join(', ')}`);
      for (const c of callers) {
        assert.match(c, /^acme\/demo\/gateway\/[0-9a-f]{32}$/);
        assert.notEqual(c, runName, 'not the run gateway app');
      }
    });

    await t.test('progress, a sampling request answered by the client, ping, a second route', async () => {
      const seen: number[] = [];
      a.wire.reset();
      await a.client.callTool(
        { name: 'trigger-long-running-operation', arguments: { duration: 0.2, steps: 2 } },
        undefined,
        { onprogress: (p) => seen.push(p.progress) },
      );
      assertProgress(a.wire, seen, [1, 2]);
      const sampled = await b.client.callTool({
        name: 'trigger-sampling-request',
        arguments: { prompt: 'q' },
      });
      assert.match(JSON.stringify(sampled.content), /sampled over stdio/);
      assert.deepEqual(await a.client.ping(), {});
      const forecast = await w.client.callTool({
        name: 'get_forecast',
        arguments: { city: 'Osaka', days: 1 },
      });
      assert.match((forecast.content as { text: string }[])[0]!.text, /^Forecast for Osaka:/);
    });

    await t.test('stdout carried MCP only; the logs went to stderr', () => {
      assert.ok(
        a.stderr.join('').includes('"msg":"serving MCP on stdio"'),
        'the stdio process logged to stderr',
      );
    });

    await Promise.all([a.client.close(), b.client.close(), w.client.close()]);
    assert.equal(await stop(run), 0);
  },
);
