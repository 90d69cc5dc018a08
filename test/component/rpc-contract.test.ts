// Component: the SLIMRPC contract (test/support/rpc-contract.ts) holds for the in-memory RPC
// network that adapter tests use and for SLIMRPC over in-memory sessions, so both answer the same
// situations with the same status codes and messages.
import { MemoryRpcNetwork } from '../support/memory-rpc.js';
import { createChannel, createMulticastChannel, createRpcServer } from '../../src/slim/rpc/index.js';
import type { RpcServer } from '../../src/slim/rpc/types.js';
import { parseName } from '../../src/slim/dataplane/name.js';
import type { SlimApp } from '../../src/slim/session/index.js';
import { MemoryFabric } from '../support/memory-fabric.js';
import { MemorySessionNetwork } from '../support/memory-sessions.js';
import { makeApp } from '../support/session-apps.js';
import { rpcContract } from '../support/rpc-contract.js';
import type { RpcEnv } from '../support/rpc-contract.js';

rpcContract('memory network', () => {
  const net = new MemoryRpcNetwork();
  const caller = parseName('acme/demo/caller');
  const servers: RpcServer[] = [];
  const env: RpcEnv = {
    callerName: caller,
    server: (name, services) => {
      const s = net.server(parseName(name));
      for (const svc of services) s.register(svc);
      servers.push(s);
      return Promise.resolve(s);
    },
    client: (target) => net.client(parseName(target), caller),
    multicast: (members) => net.multicast(members.map(parseName), caller),
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
  return Promise.resolve(env);
});

rpcContract('SLIMRPC over in-memory sessions', () => {
  const net = new MemorySessionNetwork();
  const callerApp = net.app('acme/demo/caller');
  const servers: RpcServer[] = [];
  const closers: (() => Promise<void>)[] = [];
  const env: RpcEnv = {
    callerName: callerApp.name,
    server: (name, services) => {
      const s = createRpcServer(net.app(name), { services });
      servers.push(s);
      return Promise.resolve(s);
    },
    client: (target) => {
      const c = createChannel(callerApp, parseName(target));
      closers.push(() => c.close());
      return c;
    },
    multicast: (members) => {
      const c = createMulticastChannel(callerApp, members.map(parseName));
      closers.push(() => c.close());
      return c;
    },
    close: async () => {
      await Promise.all(closers.map((c) => c()));
      await Promise.all(servers.map((s) => s.close()));
    },
  };
  return Promise.resolve(env);
});

rpcContract('SLIMRPC over SLIM sessions with MLS (in-memory fabric)', async () => {
  const fabric = new MemoryFabric();
  const apps: SlimApp[] = [];
  const callerApp = await makeApp({ name: 'acme/demo/caller', link: fabric.link('caller'), mls: true });
  apps.push(callerApp);
  const servers: RpcServer[] = [];
  const closers: (() => Promise<void>)[] = [];
  const env: RpcEnv = {
    callerName: callerApp.name,
    server: async (name, services) => {
      const app = await makeApp({ name, link: fabric.link(name), mls: true });
      apps.push(app);
      const s = createRpcServer(app, { services });
      servers.push(s);
      return s;
    },
    client: (target) => {
      const c = createChannel(callerApp, parseName(target), { setupTimeoutMs: 3000 });
      closers.push(() => c.close());
      return c;
    },
    multicast: (members) => {
      const c = createMulticastChannel(callerApp, members.map(parseName), { setupTimeoutMs: 3000 });
      closers.push(() => c.close());
      return c;
    },
    close: async () => {
      await Promise.all(closers.map((c) => c()));
      await Promise.all(servers.map((s) => s.close()));
      await Promise.all(apps.map((a) => a.close()));
    },
  };
  return env;
});
