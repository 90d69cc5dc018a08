// Id rewriting for the shared stateless lane (docs/mcp-over-slimrpc.md §3.3): several local clients
// without MCP sessions share one (caller, no session) lane at the server, where request ids and
// progress tokens must be unique among requests in flight. Each request gets a fresh id (and
// progress token, when it asks for progress) on the way out; the server's messages get the
// client's originals back. Nothing else is touched. Pure.
import {
  idKey,
  progressTokenOf,
  progressTokenOfNotification,
  withId,
  withProgressToken,
} from '../jsonrpc.js';
import type { Classified, JsonRpcId, JsonRpcRequest } from '../jsonrpc.js';

export interface Rewritten {
  /** What goes over SLIM. */
  readonly message: JsonRpcRequest;
  /** The client's messages back: response id and progress token restored; undefined = unchanged. */
  restore(message: Classified): Classified | undefined;
}

export class IdRewriter {
  private counter = 0;

  constructor(private readonly prefix: string) {}

  rewrite(original: JsonRpcRequest): Rewritten {
    const n = ++this.counter;
    const id: JsonRpcId = `${this.prefix}-${n}`;
    let message = withId(original, id);
    const token = progressTokenOf(original);
    const newToken: JsonRpcId = `${this.prefix}-${n}-progress`;
    if (token !== undefined) message = withProgressToken(message, newToken);
    const sentKey = idKey(id);
    const tokenKey = idKey(newToken);
    return {
      message,
      restore(c: Classified): Classified | undefined {
        if (c.kind === 'response' && c.message.id !== null && idKey(c.message.id) === sentKey) {
          return { kind: 'response', message: withId(c.message, original.id) };
        }
        if (
          token !== undefined &&
          c.kind === 'notification' &&
          c.message.method === 'notifications/progress'
        ) {
          const got = progressTokenOfNotification(c.message);
          if (got !== undefined && idKey(got) === tokenKey) {
            const params = { ...c.message.params, progressToken: token };
            return { kind: 'notification', message: { ...c.message, params } };
          }
        }
        return undefined;
      },
    };
  }
}
