// Where a message from an MCP server goes (docs/mcp-over-slimrpc.md §5.2): to the `Request` stream
// of the client request it relates to, or to the session's `Listen` stream. Streamable HTTP servers
// say which request a message relates to (it arrives on that request's POST stream); stdio servers
// do not, so related-ness is inferred: responses by id, progress by progressToken, a server's
// cancellation of its own request by where that request went, list/update notifications are always
// unsolicited, and anything else goes to the only request in flight, or (with several) to Listen
// when one is open, else to the newest request. Pure: the caller keeps the state.
import { cancelledRequestId, idKey, progressTokenOfNotification } from '../jsonrpc.js';
import type { Classified } from '../jsonrpc.js';

/** What the backend transport knows about a message's origin. */
export type Related =
  /** It arrived on the HTTP response stream of this client request. */
  | { kind: 'request'; key: string }
  /** It arrived on the backend's stream for unsolicited traffic (HTTP GET). */
  | { kind: 'unsolicited' }
  /** The transport cannot tell (stdio). */
  | { kind: 'unknown' };

export type Target = { kind: 'request'; key: string } | { kind: 'listen' } | { kind: 'drop'; reason: string };

export interface InflightView {
  /** idKey of the client request. */
  readonly key: string;
  /** idKey of its progressToken, if it asked for progress. */
  readonly tokenKey: string | undefined;
}

export interface RouterState {
  /** Client requests in flight, oldest first. */
  readonly inflight: readonly InflightView[];
  /** Where each server-initiated request still awaiting its answer went, by idKey. */
  readonly serverRequests: ReadonlyMap<string, Target>;
  /** Whether a Listen is currently open. */
  readonly listening: boolean;
}

/** Notifications that never relate to a particular request. */
const UNSOLICITED = new Set([
  'notifications/tools/list_changed',
  'notifications/prompts/list_changed',
  'notifications/resources/list_changed',
  'notifications/resources/updated',
  'notifications/elicitation/complete',
]);

export function routeServerMessage(message: Classified, related: Related, state: RouterState): Target {
  const has = (key: string) => state.inflight.some((r) => r.key === key);
  if (message.kind === 'response') {
    const id = message.message.id;
    if (id === null) return { kind: 'drop', reason: 'error response without an id' };
    const key = idKey(id);
    return has(key) ? { kind: 'request', key } : { kind: 'drop', reason: 'response to no request in flight' };
  }
  if (related.kind === 'request' && has(related.key)) return { kind: 'request', key: related.key };
  if (related.kind === 'unsolicited') return { kind: 'listen' };
  if (message.kind === 'notification') {
    const method = message.message.method;
    if (UNSOLICITED.has(method)) return { kind: 'listen' };
    if (method === 'notifications/progress') {
      const token = progressTokenOfNotification(message.message);
      const owner = token === undefined ? undefined : state.inflight.find((r) => r.tokenKey === idKey(token));
      return owner ? { kind: 'request', key: owner.key } : { kind: 'listen' };
    }
    if (method === 'notifications/cancelled') {
      const id = cancelledRequestId(message.message);
      const went = id === undefined ? undefined : state.serverRequests.get(idKey(id));
      if (went?.kind === 'request' && has(went.key)) return went;
      return { kind: 'listen' };
    }
  }
  const n = state.inflight.length;
  if (n === 1) return { kind: 'request', key: state.inflight[0]!.key };
  if (n === 0 || state.listening) return { kind: 'listen' };
  return { kind: 'request', key: state.inflight[n - 1]!.key };
}
