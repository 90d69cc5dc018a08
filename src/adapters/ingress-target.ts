// What the ingress of a route calls, for both adapters and for the gateway that builds it: one
// service (a unicast channel to its SLIM name) or a group (docs/mcp-over-slimrpc.md "Groups",
// docs/a2a-over-slim.md "Groups": one multicast channel to every member, and a unicast channel to
// one member for the calls that belong to it). The ingress closes the member channels it opens.
import type { MulticastClient, RpcClient, SlimName } from '../slim/rpc/index.js';

/** One service. */
export interface SingleTarget {
  /** The SLIM name of the service (an MCP server or an A2A agent). */
  readonly target: SlimName;
  /** A SLIMRPC client whose target is `target`. */
  readonly client: RpcClient;
}

/** A group of services presented as one. */
export interface GroupTarget {
  /** The SLIM names of the members. */
  readonly target: readonly SlimName[];
  /** The group's multicast channel (one MLS group with every member). */
  readonly client: MulticastClient;
  /** A unicast channel to one member, for calls that belong to it (closed by the ingress). */
  readonly memberClient: (name: SlimName) => RpcClient;
}

export type IngressTarget = SingleTarget | GroupTarget;

/** True when `o` targets a group (a list of names). */
export function isGroupTarget<T extends IngressTarget>(o: T): o is T & GroupTarget {
  return Array.isArray(o.target);
}
