// Public surface of the MCP adapter (docs/mcp-over-slimrpc.md). Egress: `createMcpService` offers a
// local MCP server (stdio command or Streamable HTTP URL) as `mcp.v1.McpService` on an RpcServer.
// Ingress: `createMcpIngress` gives local MCP clients a Streamable HTTP endpoint (an HttpHandler the
// HTTP edge mounts at the route path) and a stdio endpoint (`slim-gateway stdio`), both relaying
// over an RpcClient to the service's SLIM name. With a list of names as the target (a group route),
// the same fronts serve the group relay (group/), which presents every member as one MCP server.
import type { Readable, Writable } from 'node:stream';
import { formatName } from '../../slim/rpc/index.js';
import type { SlimName } from '../../slim/rpc/index.js';
import type { HttpHandler } from '../../util/http.js';
import type { Logger } from '../../util/log.js';
import { childLogger } from '../../util/log.js';
import type { MetricsRegistry } from '../../util/metrics.js';
import type { CallObserver } from '../../telemetry/types.js';
import { NO_CALL_OBSERVER } from '../../telemetry/calls.js';
import { createHttpFront } from './ingress/http.js';
import { DEFAULT_RELAY_TIMEOUTS, IngressRelay } from './ingress/relay.js';
import type { McpRelay, RelayTimeouts } from './ingress/relay.js';
import { createMcpGroup } from './group/index.js';
import type { McpGroup } from './group/index.js';
import { serveStdioFront } from './ingress/stdio.js';
import { ingressMetrics } from './metrics.js';
import { MAX_MCP_MESSAGE_BYTES } from './wire.js';
import { compileToolFilter } from './tool-filter.js';
import type { ToolRules } from './tool-filter.js';
import { FilteredRelay } from './ingress/filtered-relay.js';
import { isGroupTarget } from '../ingress-target.js';
import type { IngressTarget } from '../ingress-target.js';

export { createMcpService, DEFAULT_ABANDONED_TIMEOUT_MS } from './egress/service.js';
import { DEFAULT_ABANDONED_TIMEOUT_MS } from './egress/service.js';
export type { McpService, McpServiceOptions } from './egress/service.js';
export type { BackendSpec } from './egress/backend.js';
export type { RelayTimeouts } from './ingress/relay.js';
export {
  DEFAULT_LISTEN_TIMEOUT_MS,
  DEFAULT_NOTIFY_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  MAX_MCP_MESSAGE_BYTES,
  MCP_SERVICE,
  McpRpcMethod,
  META_PROTOCOL_VERSION,
  META_SESSION_ID,
} from './wire.js';

export type McpIngressOptions = McpIngressCommon & IngressTarget;

export interface McpIngressCommon {
  /** The local route path (for logs and metrics). */
  readonly route: string;
  /** Deadline of a group's fan-out (what answered within it is returned); default 5 min. */
  readonly timeoutMs?: number;
  readonly logger?: Logger;
  readonly metrics?: MetricsRegistry;
  /** Access log and traces of calls (default: none). */
  readonly calls?: CallObserver;
  /** Largest request body accepted (HTTP 413 past it); default and at most MAX_MCP_MESSAGE_BYTES. */
  readonly maxBodyBytes?: number;
  /** Origins allowed to use the endpoint ('*' for any); default loopback origins only. */
  readonly allowedOrigins?: readonly string[];
  /** Interval of SSE keep-alive comments (and of the wait before a silent answer turns into SSE). */
  readonly keepAliveMs?: number;
  /** Most local MCP sessions on this route; default 1000. */
  readonly maxSessions?: number;
  /** A local session unused this long is ended; default 30 min. */
  readonly sessionIdleMs?: number;
  /**
   * A local session whose client looks gone (its GET stream ended and no request came since, or
   * nothing came after its initialize) is ended this long after (and the server told); default 60 s.
   */
  readonly sessionAbandonedMs?: number;
  readonly timeouts?: Partial<RelayTimeouts>;
  /** `routes[].tools`: tools hidden from tools/list and refused at call, on this side. */
  readonly tools?: ToolRules;
}

export interface McpIngress {
  /** Streamable HTTP at the route path (mounted by the HTTP edge). */
  readonly handler: HttpHandler;
  /** Serves one MCP client over newline-delimited JSON; resolves when `input` ends or `signal` fires. */
  serveStdio(input: Readable, output: Writable, signal?: AbortSignal): Promise<void>;
  /** Open local HTTP sessions. */
  sessionCount(): number;
  /** Ends every local session (and tells the server); idempotent. */
  close(): Promise<void>;
  closed(): Promise<void>;
  /**
   * Group routes only: makes the group exactly `members` (removed members leave the MLS group,
   * new ones are invited) and tells connected clients their lists changed.
   */
  setMembers?(members: readonly SlimName[]): Promise<void>;
}

const DEFAULT_GROUP_TIMEOUT_MS = 300_000;

export const DEFAULT_KEEPALIVE_MS = 15_000;

export function createMcpIngress(options: McpIngressOptions): McpIngress {
  const timeouts = { ...DEFAULT_RELAY_TIMEOUTS, ...options.timeouts };
  let group: McpGroup | undefined;
  let relay: McpRelay;
  let target: string;
  let logger: Logger;
  if (isGroupTarget(options)) {
    target = `group ${options.route}`;
    logger = childLogger(options.logger, 'mcp-ingress').child({ route: options.route, group: true });
    group = createMcpGroup({
      route: options.route,
      members: options.target,
      multicast: options.client,
      memberClient: options.memberClient,
      timeoutMs: options.timeoutMs ?? DEFAULT_GROUP_TIMEOUT_MS,
      logger,
      metrics: options.metrics,
      listenTimeouts: timeouts,
    });
    relay = group.relay;
  } else {
    target = formatName(options.target);
    logger = childLogger(options.logger, 'mcp-ingress').child({ route: options.route, target });
    relay = new IngressRelay(options.client, logger, timeouts);
  }
  const tools = compileToolFilter(options.tools, `route ${options.route}`);
  if (tools) relay = new FilteredRelay(relay, tools, logger);
  const metrics = ingressMetrics(options.metrics, options.route);
  const http = createHttpFront({
    relay,
    route: options.route,
    target,
    ...(group ? {} : { remoteName: target }),
    calls: options.calls ?? NO_CALL_OBSERVER,
    logger,
    metrics,
    // A body larger than one SLIM message could never be relayed: 413 for it, like any over the limit.
    maxBodyBytes: Math.min(options.maxBodyBytes ?? MAX_MCP_MESSAGE_BYTES, MAX_MCP_MESSAGE_BYTES),
    allowedOrigins: options.allowedOrigins,
    keepAliveMs: options.keepAliveMs ?? DEFAULT_KEEPALIVE_MS,
    maxSessions: options.maxSessions ?? 1000,
    sessionIdleMs: options.sessionIdleMs ?? 30 * 60_000,
    sessionAbandonedMs: options.sessionAbandonedMs ?? DEFAULT_ABANDONED_TIMEOUT_MS,
  });
  const stdioRuns = new Set<AbortController>();
  let closing: Promise<void> | undefined;
  let resolveClosed!: () => void;
  const closedPromise = new Promise<void>((r) => (resolveClosed = r));
  return {
    handler: http.handler,
    async serveStdio(input, output, signal) {
      const stop = new AbortController();
      const onAbort = () => stop.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted || closing) stop.abort();
      stdioRuns.add(stop);
      try {
        await serveStdioFront(
          { relay, route: options.route, target, logger, metrics, calls: options.calls ?? NO_CALL_OBSERVER },
          input,
          output,
          stop.signal,
        );
      } finally {
        stdioRuns.delete(stop);
        signal?.removeEventListener('abort', onAbort);
      }
    },
    sessionCount: () => http.sessionCount(),
    close() {
      closing ??= (async () => {
        for (const run of stdioRuns) run.abort();
        await http.close();
        await group?.close();
        logger.info('MCP ingress closed');
        resolveClosed();
      })();
      return closing;
    },
    closed: () => closedPromise,
    ...(group ? { setMembers: (members: readonly SlimName[]) => group.members.setMembers(members) } : {}),
  };
}
