// Messages between the client and one member, as a group relays them (docs/mcp-over-slimrpc.md
// §14). Members choose their own ids for server-to-client requests (sampling, elicitation,
// roots, ping), so two members may both send id 0: the group tags each such id with the member
// (`["slim-gateway", "<org/ns/app>", <original id>]` as a JSON string) and untags the client's
// answer to route it back. Log messages name their member in `logger`, resource URIs get the
// member's prefix, and a member's own cancellation of its request names the tagged id. Pure.
import { prefixedUri } from '../../group/names.js';
import type { Classified, JsonRpcId, JsonRpcMessage } from '../jsonrpc.js';
import type { Frame } from '../ingress/relay.js';

const TAG = 'slim-gateway';

export function tagId(member: string, id: JsonRpcId): string {
  return JSON.stringify([TAG, member, id]);
}

/** The member and original id of a tagged id, or undefined for an id the group did not tag. */
export function untagId(id: JsonRpcId | null): { member: string; id: JsonRpcId } | undefined {
  if (typeof id !== 'string' || !id.startsWith(`["${TAG}"`)) return undefined;
  try {
    const v: unknown = JSON.parse(id);
    if (!Array.isArray(v) || v.length !== 3 || v[0] !== TAG || typeof v[1] !== 'string') return undefined;
    const orig: unknown = v[2];
    return typeof orig === 'string' || typeof orig === 'number' ? { member: v[1], id: orig } : undefined;
  } catch {
    return undefined;
  }
}

export interface FrameMember {
  readonly key: string;
  readonly prefix: string;
}

const frame = (message: JsonRpcMessage, c: Classified['kind']): Frame =>
  ({ message: { kind: c, message } as Classified, text: JSON.stringify(message) }) as Frame;

/** A member's message (other than the response to the group's own request) as the client sees it. */
export function fromMember(m: FrameMember, c: Classified): Frame | undefined {
  if (c.kind === 'response') return undefined;
  if (c.kind === 'request') return frame({ ...c.message, id: tagId(m.key, c.message.id) }, 'request');
  const n = c.message;
  const params = n.params ?? {};
  switch (n.method) {
    case 'notifications/message': {
      const logger = typeof params['logger'] === 'string' ? `${m.key}/${params['logger']}` : m.key;
      return frame({ ...n, params: { ...params, logger } }, 'notification');
    }
    case 'notifications/resources/updated': {
      const uri = params['uri'];
      if (typeof uri !== 'string') return frame(n, 'notification');
      return frame({ ...n, params: { ...params, uri: prefixedUri(m.prefix, uri) } }, 'notification');
    }
    case 'notifications/cancelled': {
      const id = params['requestId'];
      if (typeof id !== 'string' && typeof id !== 'number') return frame(n, 'notification');
      return frame({ ...n, params: { ...params, requestId: tagId(m.key, id) } }, 'notification');
    }
    default:
      return frame(n, 'notification');
  }
}

/** A locally built message as a frame. */
export function localFrame(message: JsonRpcMessage, kind: Classified['kind']): Frame {
  return frame(message, kind);
}
