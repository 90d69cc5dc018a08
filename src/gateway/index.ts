// The composition root (DESIGN.md, Layers: cli / gateway): builds a running gateway from a frozen
// GatewayConfig and an injected GatewayDeps. It owns the embedded node (if any), the gateway's own
// SLIM app (routes call from it), one supervised unit per service (its own app under its own name)
// and per route (client + ingress, mounted on the HTTP edge). It answers /readyz, applies reloads
// (services and routes added, removed or changed; access lists), and shuts down in order: stop
// accepting, drain HTTP and RPC calls for the grace period, then routes, apps, links, node.
import type { GatewayConfig } from '../config/types.js';
import type { AppHandle, GatewayDeps, NodeHandle } from './deps.js';
import { GatewayImpl } from './root.js';
import type { Gateway, GatewayOptions } from './types.js';

export type { Gateway, GatewayOptions } from './types.js';
export type { GatewayDeps } from './deps.js';
export type { Readiness } from '../http/edge.js';
export type { GatewaySummary, RouteSummary, ServiceSummary } from './summary.js';

/** Starts a gateway; on failure everything already started is closed and the error rethrown. */
export async function createGateway<N extends NodeHandle, A extends AppHandle>(
  config: GatewayConfig,
  deps: GatewayDeps<N, A>,
  options: GatewayOptions,
): Promise<Gateway> {
  const gw = new GatewayImpl(config, deps, options);
  try {
    await gw.start();
  } catch (err) {
    await gw.close(0);
    throw err;
  }
  return gw;
}
