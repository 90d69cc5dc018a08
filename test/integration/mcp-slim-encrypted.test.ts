// What the SLIM node sees of an MCP call between two gateways: with MLS on (the default), neither
// the tool's arguments nor its result appear in any frame either gateway hands to the node; with
// MLS off they do (so the check can tell). The metadata the mapping puts in clear
// (docs/mcp-over-slimrpc.md §3.2: session id, protocol version) is all there is besides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startSlimPair } from '../support/mcp/slim-pair.js';
import { startTestHttpServer } from '../support/mcp/test-server.js';

const SECRET_ARGUMENT = 'attack-at-dawn-7f3a9c';

function seenByNode(frames: Uint8Array[], text: string): boolean {
  const needle = Buffer.from(text);
  return frames.some((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength).includes(needle));
}

for (const mls of [true, false]) {
  test(
    `MLS ${mls ? 'on' : 'off'}: the node ${mls ? 'never sees' : 'sees'} the call's content`,
    { timeout: 120_000 },
    async (t) => {
      const server = await startTestHttpServer();
      const pair = await startSlimPair({ kind: 'http', url: server.url }, { mls, tap: true });
      t.after(async () => {
        await pair.close();
        await server.close();
      });
      const client = new Client({ name: 'c', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(pair.url)));
      const res = await client.callTool({ name: 'echo', arguments: { text: SECRET_ARGUMENT } });
      assert.deepEqual(res.content, [{ type: 'text', text: SECRET_ARGUMENT }]);
      await client.close();

      const frames = [...pair.client.taps, ...pair.server.taps].flatMap((tap) => tap.toNode);
      assert.ok(frames.length >= 8, `frames were recorded (${frames.length})`);
      assert.equal(seenByNode(frames, SECRET_ARGUMENT), !mls);
      assert.equal(seenByNode(frames, '"tools/call"'), !mls);
      assert.ok(seenByNode(frames, 'mcp.v1.McpService'), 'SLIMRPC routing metadata travels in clear');
    },
  );
}
