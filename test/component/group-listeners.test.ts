// Component: a group route with more members than Node's default listener limit (10 per signal),
// and calls in flight at once. A group calls every member with one request's signal and every call
// depends on the route's closing signal: each member call must not add its own listener there.
// What a user notices is a MaxListenersExceededWarning on the gateway's stderr: there is none.
// Also the helper that makes it so (derivedSignal): one listener on the parent, whatever the count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { MCP_SERVICE } from '../../src/adapters/mcp/index.js';
import type { ServiceDefinition } from '../../src/slim/rpc/types.js';
import { derivedSignal } from '../../src/util/abort.js';
import { startMcpGroup } from '../support/mcp/group.js';

const MEMBERS = 12;
const CONCURRENT = 12;

/** Holds every tool call until `expected` of them are in flight at once (a hang guard aside). */
class Barrier {
  reached = false;
  private arrived = 0;
  private release!: () => void;
  private readonly open = new Promise<void>((r) => (this.release = r));
  constructor(private readonly expected: number) {}
  async wait(): Promise<void> {
    if (++this.arrived === this.expected) {
      this.reached = true;
      this.release();
    }
    const guard = setTimeout(() => this.release(), 30_000);
    await this.open;
    clearTimeout(guard);
  }
}

/** A member's MCP server, answered in the SLIMRPC service itself: initialize, one tool, echo. */
function echoMember(barrier: Barrier): ServiceDefinition {
  const answer = (req: Uint8Array) => {
    const m = JSON.parse(new TextDecoder().decode(req)) as {
      id: number | string;
      method: string;
      params?: { arguments?: { text?: unknown } };
    };
    const result =
      m.method === 'initialize'
        ? {
            protocolVersion: '2025-06-18',
            capabilities: { tools: {} },
            serverInfo: { name: 'm', version: '1' },
          }
        : m.method === 'tools/list'
          ? { tools: [{ name: 'echo', inputSchema: { type: 'object' } }] }
          : m.method === 'tools/call'
            ? { content: [{ type: 'text', text: String(m.params?.arguments?.text) }] }
            : undefined;
    const body = result
      ? { jsonrpc: '2.0', id: m.id, result }
      : { jsonrpc: '2.0', id: m.id, error: { code: -32601, message: `Method not found: ${m.method}` } };
    return new TextEncoder().encode(JSON.stringify(body));
  };
  return {
    name: MCP_SERVICE,
    methods: {
      Request: {
        kind: 'serverStream',
        handler: async function* (req) {
          if (new TextDecoder().decode(req).includes('"tools/call"')) await barrier.wait();
          yield answer(req);
        },
      },
      Notify: { kind: 'unary', handler: () => Promise.resolve(new TextEncoder().encode('{}')) },
      Close: { kind: 'unary', handler: () => Promise.resolve(new TextEncoder().encode('{}')) },
    },
  };
}

test(
  `a group of ${MEMBERS} members with ${CONCURRENT} calls at once: no listener warnings`,
  { timeout: 120_000 },
  async (t) => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => void warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    t.after(() => void process.off('warning', onWarning));
    const names = Array.from({ length: MEMBERS }, (_, i) => `acme/demo/m${i}`);
    // Half the calls go to one member, half to all of them: all held until every one has arrived.
    const barrier = new Barrier(CONCURRENT / 2 + (CONCURRENT / 2) * MEMBERS);
    const group = await startMcpGroup(names.map((name) => ({ name, service: echoMember(barrier) })));
    t.after(() => group.close());
    const client = new Client({ name: 'listeners', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(group.url)));
    t.after(() => client.close());

    const { tools } = await client.listTools();
    assert.ok(tools.some((x) => x.name === 'all_echo'));
    const calls = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) =>
        client.callTool({ name: i % 2 ? 'all_echo' : `m${i}_echo`, arguments: { text: `call ${i}` } }),
      ),
    );
    const all = calls[1]!.structuredContent as { results: { status: string }[] };
    assert.equal(all.results.length, MEMBERS);
    assert.ok(all.results.every((r) => r.status === 'ok'));
    assert.deepEqual(calls[0]!.content, [{ type: 'text', text: 'call 0' }]);
    assert.ok(barrier.reached, `all ${CONCURRENT} calls were in flight at once`);
    // Warnings are emitted on the next tick.
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      warnings.filter((w) => /MaxListeners/.test(w)),
      [],
    );
  },
);

test('derivedSignal: one listener on the parent, released with the last call, aborts every call', () => {
  const parent = new AbortController();
  const calls = Array.from({ length: 20 }, () => derivedSignal(parent.signal));
  assert.equal(getEventListeners(parent.signal, 'abort').length, 1);
  for (const c of calls.slice(0, 19)) c.release();
  assert.equal(getEventListeners(parent.signal, 'abort').length, 1, 'still one call in flight');
  calls[19]!.release();
  assert.equal(getEventListeners(parent.signal, 'abort').length, 0, 'nothing left on the parent');

  const live = [derivedSignal(parent.signal), derivedSignal(parent.signal)];
  parent.abort(new Error('closing'));
  for (const c of live) {
    assert.equal(c.signal?.aborted, true);
    assert.equal((c.signal?.reason as Error).message, 'closing');
  }
  assert.equal(derivedSignal(parent.signal).signal?.aborted, true, 'already aborted: born aborted');
  assert.equal(derivedSignal(undefined).signal, undefined);
});
