// A group route's MCP relay (docs/mcp-over-slimrpc.md "Groups"): the members (one MLS group via
// the multicast channel, plus a unicast channel each), the relay the fronts serve, and the
// membership changes a config reload applies. createMcpIngress builds this when its target is a
// list of names.
import type { MulticastClient, RpcClient, SlimName } from '../../../slim/rpc/index.js';
import type { Logger } from '../../../util/log.js';
import type { MetricsRegistry } from '../../../util/metrics.js';
import { GroupMembers, isUnreachable } from '../../group/members.js';
import type { Member } from '../../group/members.js';
import type { RelayTimeouts } from '../ingress/relay.js';
import { EMPTY_OBJECT, MCP_SERVICE, McpRpcMethod } from '../wire.js';
import { GroupRelay } from './relay.js';

export interface McpGroupOptions {
  readonly route: string;
  readonly members: readonly SlimName[];
  readonly multicast: MulticastClient;
  readonly memberClient: (name: SlimName) => RpcClient;
  readonly timeoutMs: number;
  readonly logger: Logger;
  readonly metrics?: MetricsRegistry | undefined;
  readonly listenTimeouts: RelayTimeouts;
  readonly serverVersion?: string;
  readonly probeDelaysMs?: readonly number[];
}

export interface McpGroup {
  readonly relay: GroupRelay;
  readonly members: GroupMembers;
  close(): Promise<void>;
}

/**
 * Proves a member reachable without touching its MCP server: a `Listen` without a session, which
 * every mapping server refuses at once (INVALID_ARGUMENT, or UNIMPLEMENTED without Listen).
 */
async function probe(m: Member, signal: AbortSignal, timeoutMs: number): Promise<void> {
  try {
    const stream = m.client.serverStream(MCP_SERVICE, McpRpcMethod.Listen, EMPTY_OBJECT, {
      timeoutMs,
      signal,
    });
    for await (const _ of stream) break;
  } catch (err) {
    if (isUnreachable(err)) throw err;
  }
}

export function createMcpGroup(o: McpGroupOptions): McpGroup {
  const probeTimeoutMs = Math.min(o.timeoutMs, 10_000);
  const members = new GroupMembers(o.members, {
    route: o.route,
    protocol: 'mcp',
    multicast: o.multicast,
    connect: o.memberClient,
    probe: (m, signal) => probe(m, signal, probeTimeoutMs),
    timeoutMs: o.timeoutMs,
    logger: o.logger,
    metrics: o.metrics,
    ...(o.probeDelaysMs ? { probeDelaysMs: o.probeDelaysMs } : {}),
  });
  const relay = new GroupRelay({
    route: o.route,
    members,
    multicast: o.multicast,
    timeoutMs: o.timeoutMs,
    logger: o.logger,
    serverVersion: o.serverVersion ?? '1.0.0',
    listenTimeouts: o.listenTimeouts,
  });
  return {
    relay,
    members,
    async close() {
      await relay.closeAll();
      await members.close();
    },
  };
}
