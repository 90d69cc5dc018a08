// OpenTelemetry traces (docs/observability.md): a tracer provider of the OpenTelemetry SDK that
// exports over OTLP/HTTP (JSON) to the configured endpoint, built only when telemetry is
// configured. Nothing is registered globally (no global provider, no context manager): a gateway
// hands each call's parent context explicitly, so two gateways in one process keep their own
// providers and a call pays for no AsyncLocalStorage. One span per call, parented on the W3C
// `traceparent` the call arrived with; its own context is what the call passes on.
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  defaultTextMapGetter,
  defaultTextMapSetter,
  trace,
} from '@opentelemetry/api';
import type { Attributes, Span, Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import type { Sampler, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { CallInfo, TraceContext } from './types.js';

export interface TracingOptions {
  /** OTLP/HTTP base URL, e.g. http://127.0.0.1:4318 (spans go to `<endpoint>/v1/traces`). */
  readonly otlpEndpoint: string;
  /** Resource attributes: the gateway's SLIM name and version. */
  readonly gatewayName: string;
  readonly version: string;
  /** Default: parent-based, sampling every root (a caller's unsampled flag is respected). */
  readonly sampler?: Sampler;
  /** Default: the OTLP/HTTP exporter (benchmarks swap in one that drops spans). */
  readonly exporter?: SpanExporter;
}

/** One call's span. */
export interface CallSpan {
  readonly context: TraceContext;
  end(status: string): void;
}

export interface Tracing {
  startSpan(info: CallInfo): CallSpan;
  /** Exports what is buffered, then stops; idempotent. */
  shutdown(): Promise<void>;
}

/** Flush at least this often, so a trace shows up while the call is still fresh in mind. */
const EXPORT_DELAY_MS = 1_000;

export function createTracing(options: TracingOptions): Tracing {
  const exporter =
    options.exporter ??
    new OTLPTraceExporter({ url: new URL('v1/traces', withSlash(options.otlpEndpoint)).href });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: 'slim-gateway',
      [ATTR_SERVICE_VERSION]: options.version,
      'slim.name': options.gatewayName,
    }),
    sampler: options.sampler ?? new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: EXPORT_DELAY_MS })],
  });
  const tracer: Tracer = provider.getTracer('slim-gateway', options.version);
  const propagator = new W3CTraceContextPropagator();
  let stopping: Promise<void> | undefined;

  return {
    startSpan(info) {
      const parent = info.parent?.traceparent
        ? propagator.extract(ROOT_CONTEXT, info.parent, defaultTextMapGetter)
        : ROOT_CONTEXT;
      const span: Span = tracer.startSpan(
        info.tool ? `${info.method} ${info.tool}` : info.method,
        { kind: SpanKind.SERVER, attributes: attributesOf(info) },
        parent,
      );
      const carrier: Record<string, string> = {};
      propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
      return {
        context: carrier,
        end(status) {
          span.setAttribute('slim_gateway.status', status);
          if (status !== 'ok') span.setStatus({ code: SpanStatusCode.ERROR, message: status });
          span.end();
        },
      };
    },
    shutdown() {
      stopping ??= provider.shutdown().catch(() => {});
      return stopping;
    },
  };
}

function attributesOf(info: CallInfo): Attributes {
  const a: Attributes = {
    'slim_gateway.side': info.side,
    [info.side === 'route' ? 'slim_gateway.route' : 'slim_gateway.service']: info.name,
  };
  if (info.protocol === 'mcp') {
    a['mcp.method.name'] = info.method;
    if (info.tool !== undefined) a['gen_ai.tool.name'] = info.tool;
  } else a['a2a.method'] = info.method;
  if (info.localName !== undefined) a['slim.local_name'] = info.localName;
  if (info.remoteName !== undefined) a['slim.remote_name'] = info.remoteName;
  if (info.caller !== undefined) a['slim.caller'] = info.caller;
  return a;
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
