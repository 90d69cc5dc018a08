// A whole gateway in the test process on the production deps (src/gateway/real-deps.ts: our SLIM
// node, links, apps with MLS, SLIMRPC, the real adapters), built from YAML as a user writes it.
// The deps are wrapped only to observe: the embedded node's address and the MCP adapters' objects
// (their session counts), so tests can check both sides of a call.
import { pino } from 'pino';
import { createMcpService } from '../../src/adapters/mcp/index.js';
import type { McpIngress, McpService } from '../../src/adapters/mcp/index.js';
import { parseConfig } from '../../src/config/parse.js';
import { createGateway } from '../../src/gateway/index.js';
import type { Gateway } from '../../src/gateway/index.js';
import { mcpIngressFor } from '../../src/gateway/real-adapters.js';
import { realDeps } from '../../src/gateway/real-deps.js';
import type { RealApp, RealNode } from '../../src/gateway/real-deps.js';
import type { GatewayDeps } from '../../src/gateway/deps.js';
import { silentLogger } from '../../src/util/log.js';
import type { Logger } from '../../src/util/log.js';
import { REPO_ROOT } from './paths.js';
import { TapLink } from './tap-link.js';

export const SHARED_SECRET = 'e2e-shared-secret-0123456789-0123456789';

export interface RealGateway {
  readonly gw: Gateway;
  /** Base URL of the local endpoints, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** The embedded node's URL (http://127.0.0.1:port), when the gateway runs one. */
  readonly nodeUrl: string | undefined;
  /** MCP ingresses (one per MCP route) and services, in creation order. */
  readonly mcpIngresses: McpIngress[];
  readonly mcpServices: McpService[];
  /** With `tap`: every app link, recording the frames sent to the node. */
  readonly taps: TapLink[];
  close(graceMs?: number): Promise<void>;
}

/** A logger for gateways under test: silent unless GATEWAY_DEBUG names a level. */
export function testLogger(label: string): Logger {
  const level = process.env['GATEWAY_DEBUG'];
  return level
    ? pino({ level, base: { gw: label } }, pino.destination({ dest: 2, sync: false }))
    : silentLogger;
}

export function observedDeps(options: { tap?: boolean } = {}): {
  deps: GatewayDeps<RealNode, RealApp>;
  nodes: RealNode[];
  mcpIngresses: McpIngress[];
  mcpServices: McpService[];
  taps: TapLink[];
} {
  const real = realDeps();
  const nodes: RealNode[] = [];
  const taps: TapLink[] = [];
  const mcpIngresses: McpIngress[] = [];
  const mcpServices: McpService[] = [];
  const deps: GatewayDeps<RealNode, RealApp> = {
    ...real,
    startNode: async (o) => {
      const node = await real.startNode(o);
      nodes.push(node);
      return node;
    },
    // With `tap`, every app's link records the frames it hands to the node: what the node sees.
    connectLink: async (o) => {
      const link = await real.connectLink(o);
      if (!options.tap) return link;
      const tap = new TapLink(link);
      taps.push(tap);
      return tap;
    },
    mcp: {
      createIngress: async (o) => {
        const ingress = await mcpIngressFor(o);
        mcpIngresses.push(ingress);
        return ingress;
      },
      createService: (o) => {
        const s = createMcpService(o);
        mcpServices.push(s);
        return { service: s.service, close: () => s.close() };
      },
    },
  };
  return { deps, nodes, mcpIngresses, mcpServices, taps };
}

/** Starts a gateway from YAML (relative paths from the repository root). */
export async function startRealGateway(
  yaml: string,
  options: { label?: string; env?: Record<string, string>; tap?: boolean; logger?: Logger } = {},
): Promise<RealGateway> {
  const parsed = parseConfig(yaml, { env: options.env ?? {}, baseDir: REPO_ROOT });
  if (!parsed.ok)
    throw new Error(
      `bad test configuration:\n${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('\n')}`,
    );
  const observed = observedDeps({ tap: options.tap ?? false });
  const gw = await createGateway(parsed.config, observed.deps, {
    logger: options.logger ?? testLogger(options.label ?? 'gateway'),
    processEnv: process.env,
  });
  const node = observed.nodes[0];
  return {
    gw,
    url: gw.url,
    nodeUrl: node ? `http://${node.address}` : undefined,
    mcpIngresses: observed.mcpIngresses,
    mcpServices: observed.mcpServices,
    taps: observed.taps,
    close: (graceMs = 0) => gw.close(graceMs),
  };
}
