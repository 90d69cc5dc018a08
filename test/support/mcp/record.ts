// Records what an MCP client transport receives, below the SDK client. The SDKs dispatch progress
// notifications asynchronously but responses synchronously, so a progress notification that
// arrives in the same read as the final response is dropped by the client itself; what the gateway
// delivered is asserted here instead, where that SDK race cannot hide or fake anything.

type Message = Record<string, unknown>;

export interface Recorder {
  /** Messages received since the last reset, in arrival order. */
  readonly messages: Message[];
  reset(): void;
  /** `progress` values of the notifications/progress received before the first response. */
  progressBeforeResponse(): number[];
}

export function recordIncoming(transport: object): Recorder {
  const t = transport as { onmessage?: (message: Message, extra?: unknown) => void };
  const original = t.onmessage;
  const messages: Message[] = [];
  t.onmessage = (message, extra) => {
    messages.push(message);
    original?.call(transport, message, extra);
  };
  return {
    messages,
    reset: () => void messages.splice(0),
    progressBeforeResponse() {
      const end = messages.findIndex((m) => 'result' in m || 'error' in m);
      return messages
        .slice(0, end < 0 ? messages.length : end)
        .filter((m) => m['method'] === 'notifications/progress')
        .map((m) => (m['params'] as { progress: number }).progress);
    },
  };
}
