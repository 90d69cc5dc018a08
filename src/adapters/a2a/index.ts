// Public surface of the A2A adapter (DESIGN.md "A2A over SLIMRPC"; docs/a2a-over-slim.md):
//   - createA2aIngress: the local JSON-RPC + SSE endpoint and agent card of an A2A route, calling
//     the remote agent over the A2A SLIMRPC binding;
//   - createA2aService: a local A2A agent (JSON-RPC over HTTP) offered on SLIM under both A2A
//     services (lf.a2a.v1.A2AService for v1.0, a2a.v1.A2AService for v0.3).
import { isGroupTarget } from '../ingress-target.js';
import { createA2aGroupIngress } from './group/ingress.js';
import { createSingleIngress } from './ingress/http.js';
import type { A2aIngress, A2aIngressOptions } from './ingress/http.js';

export type { A2aIngress, A2aIngressCommon, A2aIngressOptions } from './ingress/http.js';
export { createA2aService } from './egress/service.js';
export type { A2aService, A2aServiceOptions } from './egress/service.js';
export { SLIMRPC_BINDING, isSlimrpcBinding, parseSlimUrl, slimUrl } from './card.js';
export { SERVICE as A2A_SERVICES } from './methods/table.js';
export type { A2aVersion } from './methods/table.js';

/** The local endpoint of an A2A route: to one agent (ingress/http.ts) or to a group (group/). */
export function createA2aIngress(options: A2aIngressOptions): A2aIngress {
  return isGroupTarget(options) ? createA2aGroupIngress(options) : createSingleIngress(options);
}
