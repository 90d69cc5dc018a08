// The gateway's telemetry from its configuration (docs/observability.md): always a CallObserver
// (the access log), and, only when `telemetry` is configured, the OpenTelemetry tracing behind
// it. The SDK module is imported here and nowhere else, so a gateway without telemetry never
// loads it.
import type { GatewayConfig } from '../config/types.js';
import { formatName } from '../slim/dataplane/name.js';
import { createCallObserver } from '../telemetry/index.js';
import type { CallObserver, Tracing } from '../telemetry/index.js';
import type { Logger } from '../util/log.js';
import { packageVersion } from './version.js';

export interface GatewayTelemetry {
  readonly calls: CallObserver;
  /** Present only when telemetry is configured; shut it down last (it flushes). */
  readonly tracing?: Tracing;
}

export async function startTelemetry(config: GatewayConfig, logger: Logger): Promise<GatewayTelemetry> {
  const telemetry = config.telemetry;
  if (!telemetry) return { calls: createCallObserver(logger, undefined) };
  const { createTracing } = await import('../telemetry/tracing.js');
  const tracing = createTracing({
    otlpEndpoint: telemetry.otlpEndpoint,
    gatewayName: formatName(config.slim.name),
    version: packageVersion(),
  });
  return { calls: createCallObserver(logger, tracing), tracing };
}
