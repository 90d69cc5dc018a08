// A `Request` call in flight on an egress lane (lane.ts, docs/mcp-over-slimrpc.md §4): its entry
// (id, method, progress token, the stream of frames back to the caller, the backend exchange's
// abort) and how it ends. Invariant: an entry settles once; its stream then ends with the final
// frame (a response, reported as 'ok' or its JSON-RPC code) or fails with a status (reported by
// name), and no frame is queued after that.
import { AsyncQueue } from '../../../util/async-queue.js';
import { statusName } from '../../../slim/rpc/index.js';
import type { RpcError } from '../../../slim/rpc/index.js';
import { idKey, progressTokenOf } from '../jsonrpc.js';
import type { JsonRpcId, JsonRpcNotification, JsonRpcRequest } from '../jsonrpc.js';

export interface Inflight {
  readonly id: JsonRpcId;
  readonly key: string;
  readonly method: string;
  readonly tokenKey: string | undefined;
  readonly queue: AsyncQueue<Uint8Array>;
  /** Aborts the backend exchange (an HTTP backend closes the request's stream). */
  readonly abort: AbortController;
  /** Told how the request ended: 'ok', a JSON-RPC error code, or a status name. */
  readonly report: (outcome: string) => void;
  done: boolean;
}

export function newInflight(
  message: JsonRpcRequest,
  key: string,
  report: (outcome: string) => void,
): Inflight {
  const token = progressTokenOf(message);
  return {
    id: message.id,
    key,
    method: message.method,
    tokenKey: token === undefined ? undefined : idKey(token),
    queue: new AsyncQueue<Uint8Array>(),
    abort: new AbortController(),
    report,
    done: false,
  };
}

/** Ends the entry's stream with its last frame (bytes, and how it answered) or a status. */
export function finishInflight(entry: Inflight, last: Uint8Array | RpcError, outcome: string): void {
  entry.done = true;
  if (last instanceof Uint8Array) {
    void entry.queue.push(last);
    entry.queue.end();
    entry.report(outcome);
  } else {
    entry.queue.fail(last);
    entry.report(statusName(last.status));
  }
}

/** The notifications/cancelled the server gets when the caller abandons request `id`. */
export function abandonedNotice(id: JsonRpcId): JsonRpcNotification {
  return {
    jsonrpc: '2.0',
    method: 'notifications/cancelled',
    params: { requestId: id, reason: 'slim-gateway: the caller abandoned the request' },
  };
}
