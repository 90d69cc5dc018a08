// One JSON-RPC request to some members of a group, over SLIMRPC (docs/mcp-over-slimrpc.md §5.1 and
// §14): to exactly the members of the MLS group → one multicast `Request`, each member's
// stream attributed by its SLIM source; to fewer → one unicast `Request` per member, in parallel.
// Each member's outcome is its JSON-RPC response, or the failure (status) that stopped it; the
// messages a member sends before its response (progress, logs, server-to-client requests) are
// handed to `onFrame` as they come. A member's failure never touches another's outcome. Every
// outcome is reported to GroupMembers (health, metrics, logs). As on a route to one service
// (ingress/relay.ts), a member's `Request` ends on its response: the call says so
// (`mcp-response-ends-call`), so our services leave out their EOS, and an EOS that comes anyway
// is not waited for.
import { RpcError, StatusCode } from '../../../slim/rpc/index.js';
import type { CallOptions, MulticastClient } from '../../../slim/rpc/index.js';
import { GatewayError } from '../../../util/errors.js';
import type { GroupMembers, Member } from '../../group/members.js';
import { idKey, parseMessage } from '../jsonrpc.js';
import type { Classified, JsonRpcRequest, JsonRpcResponse } from '../jsonrpc.js';
import { encodeMessage, MCP_SERVICE, META_RESPONSE_ENDS_CALL, McpRpcMethod } from '../wire.js';

export interface MemberAnswer {
  readonly member: Member;
  readonly response?: JsonRpcResponse;
  readonly failure?: RpcError;
}

export interface CallTarget {
  readonly member: Member;
  /** Metadata of this member's call (its session and protocol version). */
  readonly metadata: Record<string, string>;
}

export interface CallEnv {
  readonly members: GroupMembers;
  readonly multicast: MulticastClient;
}

export type OnMemberFrame = (member: Member, message: Classified) => void | Promise<void>;

export interface CallRun {
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** Told as soon as a member is done (its response, or its failure). */
  readonly onDone?: (member: Member) => void;
}

/** A member call's metadata: its own, and that the call ends on the response. */
const requestMetadata = (metadata: Record<string, string>): Record<string, string> => ({
  ...metadata,
  [META_RESPONSE_ENDS_CALL]: '1',
});

/** Turns a thrown value into the RpcError that describes a member's failure. */
export function asRpcError(err: unknown, signal: AbortSignal): RpcError {
  if (err instanceof RpcError) return err;
  if (signal.aborted) {
    const r: unknown = signal.reason;
    const timedOut = r instanceof GatewayError && r.code === 'TIMEOUT';
    return timedOut
      ? new RpcError(StatusCode.DEADLINE_EXCEEDED, 'no answer within the route deadline')
      : new RpcError(StatusCode.CANCELLED, 'the call was cancelled');
  }
  if (err instanceof GatewayError && err.code === 'RESOURCE_EXHAUSTED')
    return new RpcError(StatusCode.RESOURCE_EXHAUSTED, err.message);
  return new RpcError(StatusCode.INTERNAL, err instanceof Error ? err.message : String(err));
}

/** Per-member reader: the response to `id`, everything else to onFrame. */
class Reader {
  response: JsonRpcResponse | undefined;
  constructor(
    private readonly key: string,
    private readonly member: Member,
    private readonly onFrame: OnMemberFrame,
  ) {}
  async read(bytes: Uint8Array): Promise<void> {
    const parsed = parseMessage(bytes);
    if (!parsed.ok) return; // not one JSON-RPC message: nothing a client could use
    const c = parsed.value;
    if (c.kind === 'response') {
      if (c.message.id !== null && idKey(c.message.id) === this.key) this.response ??= c.message;
      return;
    }
    await this.onFrame(this.member, c);
  }
}

function finish(
  env: CallEnv,
  member: Member,
  method: string,
  reader: Reader,
  failure?: RpcError,
): MemberAnswer {
  if (reader.response) {
    env.members.reportOk(member);
    return { member, response: reader.response };
  }
  const f = failure ?? new RpcError(StatusCode.INTERNAL, 'the member ended the call without a response');
  env.members.reportFailure(member, f, method);
  return { member, failure: f };
}

/** One member, unicast. */
export async function callOne(
  env: CallEnv,
  target: CallTarget,
  message: JsonRpcRequest,
  options: CallRun,
  onFrame: OnMemberFrame,
): Promise<MemberAnswer> {
  const { member } = target;
  const reader = new Reader(idKey(message.id), member, onFrame);
  try {
    const stream = member.client.serverStream(MCP_SERVICE, McpRpcMethod.Request, encodeMessage(message), {
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      metadata: requestMetadata(target.metadata),
    });
    for await (const bytes of stream) {
      await reader.read(bytes);
      if (reader.response) break; // the call ends here: no EOS is waited for
    }
    return finish(env, member, message.method, reader);
  } catch (err) {
    return finish(env, member, message.method, reader, asRpcError(err, options.signal));
  } finally {
    options.onDone?.(member);
  }
}

/**
 * Several members. Multicast when `targets` are exactly the members of the MLS group and share
 * their metadata; unicast each otherwise. Resolves with one answer per target, in target order.
 */
export async function callMany(
  env: CallEnv,
  targets: readonly CallTarget[],
  message: JsonRpcRequest,
  options: CallRun,
  onFrame: OnMemberFrame,
): Promise<MemberAnswer[]> {
  if (targets.length === 0) return [];
  const joined = env.members.all().filter((m) => m.joined);
  const uniform = targets.every((t) => sameMetadata(t.metadata, targets[0]!.metadata));
  const exact =
    uniform && joined.length === targets.length && joined.every((m) => targets.some((t) => t.member === m));
  if (!exact) return unicastEach(env, targets, message, options, onFrame);
  return multicast(env, targets, message, options, onFrame);
}

/** One unicast call per target; members known to be down are not waited for past the others. */
async function unicastEach(
  env: CallEnv,
  targets: readonly CallTarget[],
  message: JsonRpcRequest,
  options: CallRun,
  onFrame: OnMemberFrame,
): Promise<MemberAnswer[]> {
  const calls = targets.map((t) => callOne(env, t, message, options, onFrame));
  const live = calls.filter((_, i) => targets[i]!.member.health !== 'down');
  if (live.length === calls.length || live.length === 0) return Promise.all(calls);
  const othersDone = Promise.all(live).then(() => undefined);
  return Promise.all(
    calls.map(async (c, i) => {
      const { member } = targets[i]!;
      if (member.health !== 'down') return c;
      const first = await Promise.race([c, othersDone]);
      if (first) return first;
      const why = `member is down (${member.error ?? 'unreachable'})`;
      return { member, failure: new RpcError(StatusCode.UNAVAILABLE, why) };
    }),
  );
}

function sameMetadata(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

async function multicast(
  env: CallEnv,
  targets: readonly CallTarget[],
  message: JsonRpcRequest,
  options: CallRun,
  onFrame: OnMemberFrame,
): Promise<MemberAnswer[]> {
  const key = idKey(message.id);
  const readers = new Map(targets.map((t) => [t.member, new Reader(key, t.member, onFrame)] as const));
  const ended = new Map<Member, RpcError | undefined>();
  const call: CallOptions = {
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    metadata: requestMetadata(targets[0]!.metadata),
  };
  // A member known to be down is not waited for (its answer is still taken if it comes first).
  const waiting = new Set(targets.filter((t) => t.member.health !== 'down').map((t) => t.member));
  const settle = (member: Member, failure: RpcError | undefined) => {
    ended.set(member, failure);
    waiting.delete(member);
    options.onDone?.(member);
  };
  try {
    if (waiting.size > 0) {
      const items = env.multicast.serverStream(
        MCP_SERVICE,
        McpRpcMethod.Request,
        encodeMessage(message),
        call,
      );
      for await (const item of items) {
        const member = env.members.bySource(item.member);
        const reader = member ? readers.get(member) : undefined;
        if (!member || !reader || ended.has(member)) continue;
        if (item.kind === 'data') {
          await reader.read(item.payload);
          if (reader.response) settle(member, undefined); // its call ends on the response
        } else settle(member, item.kind === 'error' ? item.error : undefined);
        if (waiting.size === 0) break;
      }
    }
  } catch (err) {
    const failure = asRpcError(err, options.signal);
    for (const t of targets)
      if (!ended.has(t.member) && !readers.get(t.member)!.response) settle(t.member, failure);
  }
  for (const { member } of targets) {
    if (ended.has(member)) continue;
    const why = member.health === 'down' ? `member is down (${member.error ?? 'unreachable'})` : 'no answer';
    settle(member, new RpcError(StatusCode.UNAVAILABLE, `${why} over the group`));
  }
  return targets.map((t) =>
    finish(env, t.member, message.method, readers.get(t.member)!, ended.get(t.member)),
  );
}
