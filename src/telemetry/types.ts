// What the adapters see of telemetry (docs/observability.md): one CallObserver per gateway, asked
// to `start` a record for every call a route or a service handles and to `end` it with the call's
// status. The record says which W3C trace context to pass on (the call's own span when tracing is
// on, the caller's context unchanged when it is off). Adapters never import the OpenTelemetry SDK.

/** W3C trace context headers (`traceparent`, and `tracestate` when present). */
export interface TraceContext {
  readonly traceparent?: string;
  readonly tracestate?: string;
}

export interface CallInfo {
  /** `route`: a local endpoint calling over SLIM; `service`: a SLIM call to a local server. */
  readonly side: 'route' | 'service';
  readonly protocol: 'mcp' | 'a2a';
  /** The route path, or the service's SLIM name. */
  readonly name: string;
  /** The MCP method (`tools/call`) or the A2A method (`SendMessage`). */
  readonly method: string;
  /** The tool of a `tools/call`. */
  readonly tool?: string;
  /** SLIM names: ours and the other end's. */
  readonly localName?: string;
  readonly remoteName?: string;
  /** The caller's verified SLIM identity (service side). */
  readonly caller?: string;
  /** The trace context the call arrived with. */
  readonly parent?: TraceContext;
}

export interface CallRecord {
  /** The trace context to pass on with the call (SLIMRPC metadata, HTTP headers upstream). */
  readonly propagate: TraceContext;
  /** Ends the call: `ok`, a JSON-RPC error code, an A2A error name or a SLIMRPC status name. */
  end(status: string): void;
}

export interface CallObserver {
  start(info: CallInfo): CallRecord;
}
