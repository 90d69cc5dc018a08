// MCP through the gateway pair against the same call made directly, measured in the same run.
// For now the two gateways are joined by the in-memory SLIMRPC network, so the figures are the
// adapters' own cost (HTTP ingress, JSON relaying, egress backend connection); over real SLIM the
// same bench will add the SLIM hops.
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { REPO_ROOT } from '../test/support/paths.js';
import { startGateway, testStdioBackend } from '../test/support/mcp/gateway.js';
import { startTestHttpServer } from '../test/support/mcp/test-server.js';
import type { Bench, Measurement } from './harness.js';
import { summarize } from './harness.js';

const WARMUP = 30;
const CALLS = 300;
const BIG_CALLS = 30;

async function time(
  client: Client,
  name: string,
  args: Record<string, unknown>,
  n: number,
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await client.callTool({ name, arguments: args });
    out.push(performance.now() - t0);
  }
  return out;
}

async function measure(client: Client): Promise<{ echo: number[]; big: number[] }> {
  await time(client, 'echo', { text: 'warm' }, WARMUP);
  const echo = await time(client, 'echo', { text: 'hello' }, CALLS);
  const big = await time(client, 'big', { bytes: 1_000_000 }, BIG_CALLS);
  return { echo, big };
}

function pair(label: string, ours: number[], direct: number[], peerLabel: string): Measurement[] {
  const o = summarize(ours);
  const d = summarize(direct);
  return [
    { name: `${label} p50`, unit: 'ms', ours: o.p50, peer: d.p50, peerLabel, better: 'lower' },
    { name: `${label} p99`, unit: 'ms', ours: o.p99, peer: d.p99, peerLabel, better: 'lower' },
  ];
}

export const benches: Bench[] = [
  {
    name: 'mcp tools/call via gateway pair (memory SLIMRPC) vs direct, HTTP server',
    async run() {
      const server = await startTestHttpServer();
      const gw = await startGateway({ kind: 'http', url: server.url });
      try {
        const direct = new Client({ name: 'direct', version: '1' });
        await direct.connect(new StreamableHTTPClientTransport(new URL(server.url)));
        const via = new Client({ name: 'via', version: '1' });
        await via.connect(new StreamableHTTPClientTransport(new URL(gw.url)));
        const d = await measure(direct);
        const v = await measure(via);
        await Promise.all([direct.close(), via.close()]);
        return [
          ...pair('MCP HTTP tools/call echo', v.echo, d.echo, 'direct'),
          ...pair('MCP HTTP tools/call 1 MB result', v.big, d.big, 'direct'),
        ];
      } finally {
        await gw.close();
        await server.close();
      }
    },
  },
  {
    name: 'mcp tools/call via gateway pair (memory SLIMRPC) vs direct, stdio server',
    async run() {
      const gw = await startGateway(testStdioBackend());
      try {
        const direct = new Client({ name: 'direct', version: '1' });
        const fixture = join(REPO_ROOT, 'dist', 'test', 'fixtures', 'mcp', 'stdio-server.js');
        await direct.connect(new StdioClientTransport({ command: process.execPath, args: [fixture] }));
        const via = new Client({ name: 'via', version: '1' });
        await via.connect(new StreamableHTTPClientTransport(new URL(gw.url)));
        const d = await measure(direct);
        const v = await measure(via);
        await Promise.all([direct.close(), via.close()]);
        return [
          ...pair('MCP stdio server tools/call echo', v.echo, d.echo, 'direct stdio'),
          ...pair('MCP stdio server tools/call 1 MB result', v.big, d.big, 'direct stdio'),
        ];
      } finally {
        await gw.close();
      }
    },
  },
];
