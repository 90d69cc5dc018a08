// Group routes over real SLIM, for integration and interop tests and benchmarks: our node (gRPC
// on 127.0.0.1:0) with our apps on in-process links, every session MLS-encrypted. Members are our
// MCP or A2A services on their own apps (the egress, as a serving gateway runs them); the group
// side is the gateway's own app with the route's multicast channel (one MLS group) and a unicast
// channel per member, exactly what the composition root hands to the adapters.
//
// The gateway's link can be tapped (tap-link.ts records every frame it sends), and a member's MLS
// client can keep its group state after the session erased it, so a test can show that a removed
// member cannot decrypt what the group sends afterwards.
import type { SharedSecretIdentity } from '../../src/slim/auth/index.js';
import type { Link } from '../../src/slim/dataplane/link.js';
import { parseName } from '../../src/slim/dataplane/name.js';
import type { SlimName } from '../../src/slim/dataplane/name.js';
import { createMlsClient } from '../../src/slim/mls/index.js';
import type { MlsClient, MlsGroup } from '../../src/slim/mls/index.js';
import { SlimNode } from '../../src/slim/node/index.js';
import { createChannel, createMulticastChannel, createRpcServer } from '../../src/slim/rpc/index.js';
import type { MulticastClient, RpcClient, ServiceDefinition } from '../../src/slim/rpc/index.js';
import type { SlimApp } from '../../src/slim/session/index.js';
import { makeApp } from './session-apps.js';
import { TapLink } from './tap-link.js';

/** An MLS client whose joined groups stay readable after the session layer closes them. */
export function keepingMls(kept: MlsGroup[]): (identity: SharedSecretIdentity) => Promise<MlsClient> {
  return async (identity) => {
    const inner = await createMlsClient({ identity, verifier: identity });
    return {
      createGroup: () => inner.createGroup(),
      prepareJoin: async () => {
        const p = await inner.prepareJoin();
        return {
          keyPackage: p.keyPackage,
          join: async (w: Uint8Array) => {
            const g = await p.join(w);
            kept.push(g);
            return Object.assign(Object.create(g) as MlsGroup, { close: () => undefined });
          },
        };
      },
    };
  };
}

export interface SlimFabric {
  readonly node: SlimNode;
  /** host:port of the node, for reference peers. */
  readonly endpoint: string;
  /** Our app named `name`, MLS on. */
  app(name: string, options?: { keep?: MlsGroup[]; tap?: boolean }): Promise<SlimApp & { link: Link }>;
  /** Serves `services` from a new app named `name`; returns a function that stops both. */
  serve(
    name: string,
    services: readonly ServiceDefinition[],
    keep?: MlsGroup[],
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export async function startSlimFabric(): Promise<SlimFabric> {
  const node = await SlimNode.create({ listen: '127.0.0.1:0' });
  const closers: (() => Promise<void>)[] = [];
  const app = async (name: string, options: { keep?: MlsGroup[]; tap?: boolean } = {}) => {
    const raw = node.connectInProcess();
    const link = options.tap ? new TapLink(raw) : raw;
    const a = await makeApp({ name, link, mls: options.keep ? keepingMls(options.keep) : true });
    closers.push(() => a.close());
    return Object.assign(a, { link });
  };
  return {
    node,
    endpoint: node.endpoint!,
    app,
    async serve(name, services, keep) {
      const a = await app(name, keep ? { keep } : {});
      const server = createRpcServer(a, { services: [...services] });
      let stopped = false;
      const stop = async () => {
        if (stopped) return;
        stopped = true;
        await server.close(0);
        await a.close();
      };
      closers.push(stop);
      return stop;
    },
    async close() {
      for (const c of closers.reverse()) await c().catch(() => {});
      await node.close();
    },
  };
}

/** The group side of a route: the multicast channel and a unicast channel factory. */
export function groupChannels(
  gateway: SlimApp,
  members: readonly SlimName[],
): { multicast: MulticastClient; memberClient: (name: SlimName) => RpcClient } {
  return {
    multicast: createMulticastChannel(gateway, members),
    memberClient: (name) => createChannel(gateway, name),
  };
}

export const names = (...list: string[]) => list.map((n) => parseName(n));
