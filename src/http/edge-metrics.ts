// The HTTP edge's own series. Label values are mount paths and fixed names, never raw request
// paths (an unknown path is "unmatched"), so cardinality stays bounded.
import type { Counter, Gauge, Histogram, MetricsRegistry } from '../util/metrics.js';

export interface EdgeMetrics {
  readonly requests: Counter;
  readonly duration: Histogram;
  readonly inFlight: Gauge;
  readonly refusedConnections: Counter;
}

export function edgeMetrics(registry: MetricsRegistry): EdgeMetrics {
  return {
    requests: registry.counter(
      'slim_gateway_http_requests_total',
      'HTTP requests answered by the local endpoints, by route, method and status',
      ['route', 'method', 'status'],
    ),
    duration: registry.histogram(
      'slim_gateway_http_request_duration_seconds',
      'Time from request to the end of the response (whole stream for SSE), by route',
      ['route'],
    ),
    inFlight: registry.gauge(
      'slim_gateway_http_requests_in_flight',
      'HTTP requests being answered, by route',
      ['route'],
    ),
    refusedConnections: registry.counter(
      'slim_gateway_http_connections_refused_total',
      'Connections refused because their client address held http.maxConnectionsPerClient',
    ),
  };
}
