// The running gateway as its users (the CLI, tests) see it; implemented by root.ts.
import type { ConfigDiff } from '../config/diff.js';
import type { GatewayConfig } from '../config/types.js';
import type { Readiness } from '../http/edge.js';
import type { Logger } from '../util/log.js';
import type { MetricsRegistry } from '../util/metrics.js';
import type { GatewaySummary } from './summary.js';

export interface GatewayOptions {
  readonly logger: Logger;
  readonly metrics?: MetricsRegistry;
  /** Environment of spawned processes (the CLI passes process.env). */
  readonly processEnv?: Readonly<Record<string, string | undefined>>;
}

export interface Gateway {
  /** The configuration in effect (settings that need a restart keep their running values). */
  readonly config: GatewayConfig;
  /** Base URL of the local endpoints, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  readonly metrics: MetricsRegistry;
  readiness(): Readiness;
  summary(): GatewaySummary;
  /** Applies a new configuration; resolves with what changed once it is applied. */
  reload(next: GatewayConfig): Promise<ConfigDiff>;
  /** Idempotent; never rejects. Default grace: config.shutdownGraceMs. */
  close(graceMs?: number): Promise<void>;
  closed(): Promise<void>;
}
