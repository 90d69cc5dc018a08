// Component: on a group route, each member's `Request` ends on its JSON-RPC response, as on a route
// to one service (docs/mcp-over-slimrpc.md §5.1, ending on the response): the call says so
// (`mcp-response-ends-call: 1`), and the route answers without waiting for the member's end of
// stream. Both members here hold their stream open after the response until the test ends, as a
// server that sends its EOS late (or never, having been asked to leave it out) would: every call
// below, unicast to one member and multicast to both, must still be answered, within a route
// deadline far longer than the test's own limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createMcpService } from '../../src/adapters/mcp/index.js';
import { McpRpcMethod } from '../../src/adapters/mcp/wire.js';
import { parseName } from '../../src/slim/dataplane/name.js';
import type { ServiceDefinition } from '../../src/slim/rpc/types.js';
import { MetricsRegistry } from '../../src/util/metrics.js';
import { testStdioBackend } from '../support/mcp/gateway.js';
import { startMcpGroup } from '../support/mcp/group.js';

const ALPHA = 'acme/demo/alpha';
const BETA = 'acme/team/beta';

test(
  'a group route takes each member answer at its response, not at its end of stream',
  { timeout: 60_000 },
  async (t) => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const seen: (string | undefined)[] = [];
    const holding = (name: string): ServiceDefinition => {
      const service = createMcpService({
        name: parseName(name),
        backend: testStdioBackend(),
        metrics: new MetricsRegistry(),
      });
      t.after(() => service.close());
      const inner = service.service.methods[McpRpcMethod.Request];
      assert.ok(inner?.kind === 'serverStream');
      return {
        ...service.service,
        methods: {
          ...service.service.methods,
          [McpRpcMethod.Request]: {
            kind: 'serverStream',
            async *handler(request, ctx) {
              seen.push(ctx.metadata['mcp-response-ends-call']);
              yield* inner.handler(request, ctx);
              await released; // the stream stays open after the response
            },
          },
        },
      };
    };
    const group = await startMcpGroup(
      [
        { name: ALPHA, service: holding(ALPHA) },
        { name: BETA, service: holding(BETA) },
      ],
      { timeoutMs: 600_000 },
    );
    t.after(async () => {
      release();
      await group.close();
    });
    const client = new Client({ name: 'group-ends-on-response', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(group.url)));
    t.after(() => client.close());

    const { tools } = await client.listTools();
    const names = tools.map((x) => x.name);
    assert.ok(names.includes('alpha_echo') && names.includes('beta_echo') && names.includes('all_echo'));
    const one = await client.callTool({ name: 'beta_echo', arguments: { text: 'to beta' } });
    assert.deepEqual(one.content, [{ type: 'text', text: 'to beta' }]);
    const all = await client.callTool({ name: 'all_echo', arguments: { text: 'to both' } });
    const { results } = all.structuredContent as { results: { member: string; status: string }[] };
    assert.deepEqual(
      results.map((r) => [r.member, r.status]),
      [
        [ALPHA, 'ok'],
        [BETA, 'ok'],
      ],
    );
    assert.ok(seen.length >= 5, `every Request reached a member (${seen.length})`);
    assert.ok(
      seen.every((v) => v === '1'),
      'every member Request says it ends on the response',
    );
  },
);
