// What carries SLIMRPC between the A2A ingress and the A2A service in A2A tests
// (test/support/a2a-chain.ts): the in-memory SLIMRPC network (adapter behaviour only), or the real
// stack: our embedded SLIM node, one SLIM app per side (shared-secret identities, MLS on) and
// SLIMRPC over real sessions (createRpcServer / createChannel). The scenarios run unchanged on
// either; only this file knows the difference.
import { SlimNode } from '../../src/slim/node/index.js';
import { GrpcLink } from '../../src/slim/dataplane/grpc-link.js';
import type { Link } from '../../src/slim/dataplane/link.js';
import { formatName } from '../../src/slim/dataplane/name.js';
import type { SlimName } from '../../src/slim/dataplane/name.js';
import { createChannel, createRpcServer } from '../../src/slim/rpc/index.js';
import { MemoryRpcNetwork } from './memory-rpc.js';
import type { RpcClient, RpcServer } from '../../src/slim/rpc/index.js';
import type { SlimApp } from '../../src/slim/session/index.js';
import { makeApp } from './session-apps.js';
import { TapLink } from './tap-link.js';

export type TransportKind = 'memory' | 'slim';

export interface A2aTransport {
  readonly kind: TransportKind;
  /** A SLIMRPC server answering on `name` (its own SLIM app on the real stack). */
  server(name: SlimName): Promise<RpcServer>;
  /** A client from `caller` to `target` (one app per caller name on the real stack). */
  client(target: SlimName, caller: SlimName): Promise<RpcClient>;
  /** Every frame our apps exchanged with the node, as bytes (only with `tap: true`). */
  readonly frames?: () => Uint8Array[];
  /** Closes clients, servers, apps and the node. */
  close(): Promise<void>;
}

export function memoryTransport(): A2aTransport {
  const net = new MemoryRpcNetwork();
  const servers: RpcServer[] = [];
  return {
    kind: 'memory',
    server: (name) => {
      const s = net.server(name);
      servers.push(s);
      return Promise.resolve(s);
    },
    client: (target, caller) => Promise.resolve(net.client(target, caller)),
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}

export interface SlimTransportOptions {
  /** MLS on every session (default true). */
  readonly mls?: boolean;
  /** How apps reach our node: in-process links (default) or gRPC over loopback. */
  readonly links?: 'in-process' | 'grpc';
  /** Record every frame between our apps and the node (for "the node sees ciphertext" checks). */
  readonly tap?: boolean;
}

/** Our embedded node on 127.0.0.1:0, apps attached to it, MLS on. */
export async function slimTransport(options: SlimTransportOptions = {}): Promise<A2aTransport> {
  const mls = options.mls ?? true;
  const node = await SlimNode.create({ listen: '127.0.0.1:0' });
  const taps: TapLink[] = [];
  const link = (): Link => {
    const raw =
      options.links === 'grpc' ? new GrpcLink({ endpoint: node.endpoint! }) : node.connectInProcess();
    if (!options.tap) return raw;
    const tap = new TapLink(raw);
    taps.push(tap);
    return tap;
  };
  const apps = new Map<string, Promise<SlimApp>>();
  const appFor = (name: SlimName): Promise<SlimApp> => {
    const key = formatName(name);
    let app = apps.get(key);
    if (!app) {
      app = makeApp({ name: key, link: link(), mls });
      apps.set(key, app);
    }
    return app;
  };
  const servers: RpcServer[] = [];
  const clients: RpcClient[] = [];
  return {
    kind: 'slim',
    ...(options.tap ? { frames: () => taps.flatMap((t) => [...t.toNode, ...t.fromNode]) } : {}),
    server: async (name) => {
      const s = createRpcServer(await appFor(name), mls ? {} : { acceptSession: () => true });
      servers.push(s);
      return s;
    },
    client: async (target, caller) => {
      const c = createChannel(await appFor(caller), target, { mls });
      clients.push(c);
      return c;
    },
    close: async () => {
      await Promise.all(clients.map((c) => c.close()));
      await Promise.all(servers.map((s) => s.close()));
      for (const app of apps.values()) await (await app).close();
      await node.close();
    },
  };
}

export function startTransport(kind: TransportKind = 'memory'): Promise<A2aTransport> {
  return kind === 'slim' ? slimTransport() : Promise.resolve(memoryTransport());
}
