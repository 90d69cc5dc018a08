// Group fan-out over real SLIM with MLS (our node, our apps, our MCP egress in front of the SDK
// test server over stdio), measured against the same calls made one by one, in the same run:
//   1. transport: one MCP `Request` (tools/call echo) multicast to 1, 3 and 10 members over the
//      group's MLS session, against the same request sent to each member in turn over its unicast
//      channel (what a client without groups does);
//   2. client: the official MCP client calling all_echo on a group route of 3 and 10 members,
//      against calling <prefix>_echo on each member in turn through the same route;
//   3. membership: adding one member to a running group of 10 (MLS commit + Welcome, and the
//      open client session replayed to it), against building a new group of 11 from scratch (the
//      alternative: restarting the route; timed to its first call, invitations included).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createMcpIngress, createMcpService } from '../src/adapters/mcp/index.js';
import { MCP_SERVICE, McpRpcMethod } from '../src/adapters/mcp/index.js';
import { parseName } from '../src/slim/dataplane/name.js';
import type { SlimName } from '../src/slim/dataplane/name.js';
import { createChannel, createMulticastChannel } from '../src/slim/rpc/index.js';
import type { RpcClient } from '../src/slim/rpc/index.js';
import { testStdioBackend } from '../test/support/mcp/gateway.js';
import { startEdge } from '../test/support/mcp/http-edge.js';
import { startSlimFabric } from '../test/support/slim-group.js';
import type { SlimFabric } from '../test/support/slim-group.js';
import type { Bench, Measurement } from './harness.js';
import { summarize } from './harness.js';

const WARMUP = 5;
const CALLS = 60;
const SIZES = [1, 3, 10];
const te = new TextEncoder();
const SESSION = 'bench-session-0001';
const md = { 'mcp-session-id': SESSION };

const memberName = (i: number) => `org/bench/m${i}`;

async function serveMembers(fabric: SlimFabric, n: number): Promise<SlimName[]> {
  const names: SlimName[] = [];
  for (let i = 0; i < n; i++) {
    const name = parseName(memberName(i));
    const svc = createMcpService({ name, backend: testStdioBackend() });
    await fabric.serve(memberName(i), [svc.service]);
    names.push(name);
  }
  return names;
}

const request = (id: number, method: string, params: object) =>
  te.encode(JSON.stringify({ jsonrpc: '2.0', id, method, params }));

async function drain(it: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of it) n++;
  return n;
}

async function timed(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

function pair(
  label: string,
  ours: number[],
  peer: number[],
  peerLabel: string,
  notes?: string,
): Measurement[] {
  const o = summarize(ours);
  const p = summarize(peer);
  return [
    {
      name: `${label} p50`,
      unit: 'ms',
      ours: o.p50,
      peer: p.p50,
      peerLabel,
      better: 'lower',
      ...(notes ? { notes } : {}),
    },
    { name: `${label} p99`, unit: 'ms', ours: o.p99, peer: p.p99, peerLabel, better: 'lower' },
  ];
}

export const benches: Bench[] = [
  {
    name: 'groups: multicast Request to N members vs the same Request to each in turn (real SLIM, MLS)',
    async run() {
      const out: Measurement[] = [];
      for (const n of SIZES) {
        const fabric = await startSlimFabric();
        try {
          const members = await serveMembers(fabric, n);
          const gw = await fabric.app('org/bench/gateway');
          const mc = createMulticastChannel(gw, members);
          const uni: RpcClient[] = members.map((m) => createChannel(gw, m));
          const init = {
            protocolVersion: '2025-06-18',
            capabilities: {},
            clientInfo: { name: 'bench', version: '1' },
          };
          await drain(
            mc.serverStream(MCP_SERVICE, McpRpcMethod.Request, request(0, 'initialize', init), {
              metadata: md,
            }),
          );
          let id = 1;
          const call = () => request(id++, 'tools/call', { name: 'echo', arguments: { text: 'x' } });
          const fanout = () =>
            drain(mc.serverStream(MCP_SERVICE, McpRpcMethod.Request, call(), { metadata: md }));
          const oneByOne = async () => {
            for (const c of uni)
              await drain(c.serverStream(MCP_SERVICE, McpRpcMethod.Request, call(), { metadata: md }));
          };
          await timed(WARMUP, fanout);
          await timed(WARMUP, oneByOne);
          const f = await timed(CALLS, fanout);
          const s = await timed(CALLS, oneByOne);
          out.push(...pair(`tools/call fan-out to ${n} member(s)`, f, s, 'one by one'));
          await mc.close();
          await Promise.all(uni.map((c) => c.close()));
        } finally {
          await fabric.close();
        }
      }
      return out;
    },
  },
  {
    name: 'groups: MCP client all_echo on a group route vs <prefix>_echo on each member in turn (real SLIM, MLS)',
    async run() {
      const out: Measurement[] = [];
      for (const n of [3, 10]) {
        const fabric = await startSlimFabric();
        try {
          const members = await serveMembers(fabric, n);
          const gw = await fabric.app('org/bench/gateway');
          const mc = createMulticastChannel(gw, members);
          const ingress = createMcpIngress({
            route: '/mcp/bench',
            target: members,
            client: mc,
            memberClient: (m) => createChannel(gw, m),
            timeoutMs: 30_000,
          });
          const edge = await startEdge({ '/mcp/bench': ingress.handler });
          const client = new Client({ name: 'bench', version: '1' });
          await client.connect(new StreamableHTTPClientTransport(new URL(`${edge.origin}/mcp/bench`)));
          await client.listTools();
          const all = () => client.callTool({ name: 'all_echo', arguments: { text: 'x' } });
          const each = async () => {
            for (let i = 0; i < n; i++)
              await client.callTool({ name: `m${i}_echo`, arguments: { text: 'x' } });
          };
          await timed(WARMUP, all);
          await timed(WARMUP, each);
          const a = await timed(CALLS, all);
          const e = await timed(CALLS, each);
          out.push(...pair(`MCP client: all_echo on ${n} members`, a, e, 'one by one'));
          await client.close();
          await ingress.close();
          await edge.close();
          await mc.close();
        } finally {
          await fabric.close();
        }
      }
      return out;
    },
  },
  {
    name: 'groups: add a member to a running group of 10 vs a new group of 11 (real SLIM, MLS)',
    async run() {
      const fabric = await startSlimFabric();
      try {
        // A fresh member each time: re-inviting a member removed moments ago waits for the
        // session layer's tombstone of its old session (about 22 s).
        const ADDS = 6;
        const members = await serveMembers(fabric, 10 + ADDS);
        const ten = members.slice(0, 10);
        const gw = await fabric.app('org/bench/gateway');
        const mc = createMulticastChannel(gw, ten);
        const ingress = createMcpIngress({
          route: '/mcp/bench',
          target: ten,
          client: mc,
          memberClient: (m) => createChannel(gw, m),
          timeoutMs: 30_000,
        });
        const edge = await startEdge({ '/mcp/bench': ingress.handler });
        const client = new Client({ name: 'bench', version: '1' });
        await client.connect(new StreamableHTTPClientTransport(new URL(`${edge.origin}/mcp/bench`)));
        await client.listTools();
        const adds: number[] = [];
        const invites: number[] = [];
        const removes: number[] = [];
        for (let i = 0; i < ADDS; i++) {
          let t0 = performance.now();
          await ingress.setMembers!([...ten, members[10 + i]!]);
          invites.push(performance.now() - t0);
          await client.listTools(); // the new member answers: it is in, with the session replayed
          adds.push(performance.now() - t0);
          t0 = performance.now();
          await ingress.setMembers!(ten);
          removes.push(performance.now() - t0);
        }
        const fresh: number[] = [];
        for (let i = 0; i < 3; i++) {
          const other = await fabric.app(`org/bench/gateway-${i}`);
          const t0 = performance.now();
          const g = createMulticastChannel(other, members.slice(0, 11));
          await drain(
            g.serverStream(MCP_SERVICE, McpRpcMethod.Listen, te.encode('{}'), { timeoutMs: 30_000 }),
          );
          fresh.push(performance.now() - t0);
          await g.close();
        }
        await client.close();
        await ingress.close();
        await edge.close();
        await mc.close();
        const a = summarize(adds.slice(1));
        const inv = summarize(invites.slice(1));
        const r = summarize(removes.slice(1));
        const f = summarize(fresh);
        return [
          {
            name: 'add 1 member to a group of 10, then list (p50)',
            unit: 'ms',
            ours: a.p50,
            peer: f.p50,
            peerLabel: 'new group of 11',
            better: 'lower',
            notes:
              'peer: a fresh multicast channel to the 11, timed to the end of its first call (session + 11 invitations)',
          },
          {
            name: 'add 1 member to a group of 10: invitation + MLS commit (p50)',
            unit: 'ms',
            ours: inv.p50,
            peer: f.p50,
            peerLabel: 'new group of 11',
            better: 'lower',
          },
          { name: 'remove 1 member from a group of 11 (p50)', unit: 'ms', ours: r.p50, better: 'lower' },
        ];
      } finally {
        await fabric.close();
      }
    },
  },
];
