// FOR TESTS: a GatewayDeps on our real SLIM stack (embedded node, in-process or gRPC links, SLIM
// apps with shared-secret identities and MLS, SLIMRPC channels, multicast and servers) and the real
// adapters, so a whole gateway can run from a configuration file over real SLIM in tests. The
// production wiring is src/gateway/real-deps.ts; this is the test's own, kept minimal.
import { formatHostPort } from '../../src/config/host-port.js';
import type { AppHandle, GatewayDeps, NodeHandle } from '../../src/gateway/deps.js';
import { SharedSecretIdentity } from '../../src/slim/auth/index.js';
import { GrpcLink } from '../../src/slim/dataplane/grpc-link.js';
import { baseName } from '../../src/slim/dataplane/name.js';
import { createMlsClient } from '../../src/slim/mls/index.js';
import { SlimNode } from '../../src/slim/node/index.js';
import { createChannel, createMulticastChannel, createRpcServer } from '../../src/slim/rpc/index.js';
import { createSlimApp } from '../../src/slim/session/index.js';
import type { SlimApp } from '../../src/slim/session/index.js';
import { realA2a, realMcp } from './real-adapters.js';

interface TestNode extends NodeHandle {
  readonly node: SlimNode;
}

type TestApp = SlimApp & AppHandle;

export function slimDeps(): GatewayDeps<TestNode, TestApp> {
  return {
    async startNode({ listen }) {
      const node = await SlimNode.create({ listen: formatHostPort(listen) });
      return { node, address: node.endpoint!, close: () => node.close() };
    },
    async connectLink({ endpoint, signal }) {
      const link =
        endpoint.kind === 'embedded'
          ? endpoint.node.node.connectInProcess()
          : new GrpcLink({ endpoint: endpoint.url });
      await link.start(signal);
      return link;
    },
    async createApp({ link, name, sharedSecret, mls }) {
      const identity = new SharedSecretIdentity({ baseName: baseName(name), secret: sharedSecret });
      return createSlimApp({
        name,
        link,
        identity,
        mls: mls ? () => createMlsClient({ identity, verifier: identity }) : undefined,
      });
    },
    createRpcServer: (app, { logger }) => createRpcServer(app, { logger }),
    createRpcClient: (app, target, { mls, logger }) => createChannel(app, target, { mls, logger }),
    createMulticast: (app, members, { mls, logger }) =>
      Promise.resolve(createMulticastChannel(app, members, { mls, logger })),
    mcp: realMcp(),
    a2a: realA2a(),
  };
}
