// The gateway's shutdown order (README "run": SIGINT/SIGTERM). Stop accepting and drain HTTP calls
// into routes; then close the routes, which end their MCP sessions at the services (a service of
// this same gateway is still up to hear it: closed first, it would leave each route waiting for
// an answer that cannot come); then drain the SLIMRPC calls into services until the same
// deadline; then the gateway's own app, its link and the embedded node. Every step is bounded
// (closeWithin), so shutdown never hangs on one stuck part.
import type { Logger } from '../util/log.js';
import { closeWithin } from './closer.js';

interface Closable {
  close(): Promise<void>;
}

interface Unit {
  readonly label: string;
  close(graceMs: number): Promise<void>;
}

export interface GatewayParts {
  readonly edge: { close(graceMs: number): Promise<void> } | undefined;
  readonly routes: readonly Unit[];
  readonly services: readonly Unit[];
  readonly app: Closable | undefined;
  readonly link: Closable | undefined;
  readonly node: Closable | undefined;
}

/** Extra time a part gets beyond the grace period; the bound of the steps that have no grace. */
const STEP_MS = 5_000;

export async function shutdownInOrder(parts: GatewayParts, graceMs: number, log: Logger): Promise<void> {
  const bound = graceMs + STEP_MS;
  const deadline = Date.now() + graceMs;
  const { edge, app, link, node } = parts;
  if (edge) await closeWithin('http', () => edge.close(graceMs), bound, log);
  await Promise.all(parts.routes.map((u) => closeWithin(u.label, () => u.close(0), STEP_MS, log)));
  const rest = Math.max(0, deadline - Date.now());
  await Promise.all(parts.services.map((u) => closeWithin(u.label, () => u.close(rest), bound, log)));
  if (app) await closeWithin('app', () => app.close(), STEP_MS, log);
  if (link) await closeWithin('link', () => link.close(), STEP_MS, log);
  if (node) await closeWithin('node', () => node.close(), STEP_MS, log);
}
