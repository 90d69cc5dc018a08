// FOR TESTS ONLY: a GatewayDeps built on MemoryRpcNetwork, so the whole gateway (config, HTTP edge,
// routes, services, readiness, reload, shutdown) runs in one process without SLIM. The node and the
// links are trivial stand-ins (a link is "ready" once started; tests flip its state to exercise
// /readyz); SLIMRPC calls go through the in-memory network with real status codes, deadlines and
// cancellation. The adapters are injected (real ones, or test fakes). Never used by the CLI.
import { formatHostPort } from '../../src/config/host-port.js';
import type { Link, LinkState } from '../../src/slim/dataplane/link.js';
import { baseName, withId } from '../../src/slim/dataplane/name.js';
import type { SlimName } from '../../src/slim/dataplane/name.js';
import { MemoryRpcNetwork } from './memory-rpc.js';
import { raceSignal } from '../../src/util/abort.js';
import { GatewayError } from '../../src/util/errors.js';
import { compilePatterns } from '../../src/util/name-pattern.js';
import type { A2aAdapter, AppHandle, GatewayDeps, McpAdapter, NodeHandle } from '../../src/gateway/deps.js';

/** A link stand-in: no frames flow (SLIMRPC goes through the network); only its state matters. */
export class MemoryLink implements Link {
  state: LinkState = 'idle';
  onmessage: Link['onmessage'];
  onstatechange: Link['onstatechange'];
  private resolveClosed!: () => void;
  private readonly closedPromise = new Promise<void>((r) => (this.resolveClosed = r));

  start(): Promise<void> {
    this.setState('ready');
    return Promise.resolve();
  }
  /** Tests: simulate the node going away ('reconnecting') and coming back ('ready'). */
  setState(state: LinkState): void {
    this.state = state;
    this.onstatechange?.(state);
  }
  publish(): Promise<void> {
    return Promise.reject(new GatewayError('UNIMPLEMENTED', 'the in-memory link carries no frames'));
  }
  subscribe(): Promise<void> {
    return Promise.resolve();
  }
  unsubscribe(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    if (this.state !== 'closed') this.setState('closed');
    this.resolveClosed();
    return Promise.resolve();
  }
  closed(): Promise<void> {
    return this.closedPromise;
  }
}

export interface MemoryApp extends AppHandle {
  readonly link: MemoryLink;
  readonly closedApp: boolean;
}

export interface MemoryNode extends NodeHandle {
  readonly closedNode: boolean;
}

export interface MemoryDeps extends GatewayDeps<MemoryNode, MemoryApp> {
  readonly network: MemoryRpcNetwork;
  /** Every link created so far, in order (the gateway's own first). */
  readonly links: MemoryLink[];
  /** Every app created so far. */
  readonly apps: MemoryApp[];
}

export function memoryDeps(options: {
  readonly mcp: McpAdapter;
  readonly a2a: A2aAdapter;
  readonly network?: MemoryRpcNetwork;
}): MemoryDeps {
  const network = options.network ?? new MemoryRpcNetwork();
  const links: MemoryLink[] = [];
  const apps: MemoryApp[] = [];
  let nextId = 1n;
  return {
    network,
    links,
    apps,
    startNode: ({ listen, signal }) => {
      let closed = false;
      const node: MemoryNode = {
        address: formatHostPort(listen),
        get closedNode() {
          return closed;
        },
        close: () => {
          closed = true;
          return Promise.resolve();
        },
      };
      return raceSignal(Promise.resolve(node), signal);
    },
    connectLink: async ({ signal }) => {
      const link = new MemoryLink();
      await raceSignal(link.start(), signal);
      links.push(link);
      return link;
    },
    createApp: ({ link, name }) => {
      let closed = false;
      const app: MemoryApp = {
        name: withId(name as SlimName, nextId++),
        link: link as MemoryLink,
        get closedApp() {
          return closed;
        },
        close: () => {
          closed = true;
          return Promise.resolve();
        },
      };
      apps.push(app);
      return Promise.resolve(app);
    },
    createRpcServer: (app, { allow }) => {
      const allowed = allow ? compilePatterns(allow) : undefined;
      return network.server(app.name, (identity) =>
        !allowed || allowed(identity) ? undefined : `not in the allow list of ${baseName(app.name)}`,
      );
    },
    createRpcClient: (app, target) => network.client(target, app.name),
    createMulticast: (app, members) => Promise.resolve(network.multicast([...members], app.name)),
    mcp: options.mcp,
    a2a: options.a2a,
  };
}
