// Records what an MCP client transport receives, below the SDK client, so tests assert what the
// gateway delivered. Why not the SDK's `onprogress`: both SDK clients (v1 and v2) dispatch
// notifications in a microtask but handle responses synchronously, and handling the response
// deletes the request's progress handler. Every progress notification parsed in the same read as
// the response is therefore dropped by the client itself ("Received a progress notification for an
// unknown token"), however early the gateway sent it; on a loaded machine one read often carries
// the last progress and the response, sometimes all of them (test/unit/mcp-sdk-progress.test.ts
// shows it; modelcontextprotocol/typescript-sdk#2580). What the client was given is asserted here,
// where that race can neither hide nor fake anything.
import assert from 'node:assert/strict';

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

/**
 * The progress of one call: the gateway delivered exactly `expected`, in order, before the response
 * (deterministic); the SDK's own callback saw a prefix of it, in order (it drops only the tail that
 * arrives in the same read as the response, possibly all of it).
 */
export function assertProgress(
  wire: Recorder,
  seenBySdk: readonly number[],
  expected: readonly number[],
): void {
  assert.deepEqual(wire.progressBeforeResponse(), expected, 'progress delivered before the response');
  assert.deepEqual(seenBySdk, expected.slice(0, seenBySdk.length), 'the SDK saw a prefix, in order');
}
