// The composition root's own series: services and routes by state (a fixed label set, so a removed
// service leaves no stale series) and whether the gateway is connected to its SLIM node. Values
// are read when /metrics is scraped.
import type { MetricsRegistry } from '../util/metrics.js';
import type { UnitState } from './supervisor.js';

const STATES: readonly UnitState[] = ['starting', 'up', 'retrying'];

export function registerGatewayMetrics(
  registry: MetricsRegistry,
  read: {
    readonly services: () => readonly UnitState[];
    readonly routes: () => readonly UnitState[];
    readonly connected: () => boolean;
  },
): void {
  const services = registry.gauge('slim_gateway_services', 'Services offered on SLIM, by state', ['state']);
  const routes = registry.gauge('slim_gateway_routes', 'Local routes, by state', ['state']);
  const connected = registry.gauge(
    'slim_gateway_slim_connected',
    '1 when the gateway is connected to its SLIM node',
  );
  const tally = (gauge: typeof services, states: readonly UnitState[]) => {
    for (const s of STATES) gauge.set({ state: s }, states.filter((x) => x === s).length);
  };
  services.collect(() => tally(services, read.services()));
  routes.collect(() => tally(routes, read.routes()));
  connected.collect(() => connected.set({}, read.connected() ? 1 : 0));
}
