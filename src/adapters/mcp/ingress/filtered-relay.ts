// A route's tool filter on the client side (docs/security.md, "Tool filters"): wraps the
// relay of an MCP route, single service or group, so `tools/list` results lose the tools the
// route's `tools:` rules do not offer (for a group, as named to the route's clients, prefixes
// included) and a `tools/call` to one is answered locally with a JSON-RPC error, never sent.
// Everything else goes on unchanged, the call's trace context and Authorization included.
import type { Logger } from '../../../util/log.js';
import type { JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from '../jsonrpc.js';
import { parseMessage } from '../jsonrpc.js';
import { calledTool } from '../tool-filter.js';
import type { ToolFilter } from '../tool-filter.js';
import type { CallExtras, Frame, LaneRef, McpRelay } from './relay.js';

export class FilteredRelay implements McpRelay {
  constructor(
    private readonly inner: McpRelay,
    private readonly filter: ToolFilter,
    private readonly logger: Logger,
  ) {}

  async *request(
    message: JsonRpcRequest,
    lane: LaneRef,
    signal: AbortSignal,
    extras?: CallExtras,
  ): AsyncIterable<Frame> {
    const tool = calledTool(message);
    if (tool !== undefined && !this.filter.permits(tool)) {
      this.logger.info({ tool }, 'tool call refused by the route tools filter');
      const refusal = this.filter.refusal(message, tool);
      yield { message: { kind: 'response', message: refusal }, text: JSON.stringify(refusal) };
      return;
    }
    if (message.method !== 'tools/list') {
      yield* this.inner.request(message, lane, signal, extras);
      return;
    }
    for await (const frame of this.inner.request(message, lane, signal, extras)) {
      if (frame.message.kind !== 'response') {
        yield frame;
        continue;
      }
      const text = this.filter.filterList(frame.text);
      if (text === frame.text) {
        yield frame;
        continue;
      }
      const parsed = parseMessage(text);
      yield parsed.ok ? { message: parsed.value, text } : frame;
    }
  }

  notify(
    message: JsonRpcNotification | JsonRpcResponse,
    lane: LaneRef,
    signal?: AbortSignal,
    extras?: CallExtras,
  ): Promise<void> {
    return this.inner.notify(message, lane, signal, extras);
  }

  close(lane: LaneRef): Promise<void> {
    return this.inner.close(lane);
  }

  listenLoop(
    lane: () => LaneRef,
    signal: AbortSignal,
    onFrame: (frame: Frame) => Promise<void>,
  ): Promise<'gone' | 'stopped'> {
    return this.inner.listenLoop(lane, signal, onFrame);
  }
}
