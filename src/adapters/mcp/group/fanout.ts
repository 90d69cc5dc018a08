// The two shapes of a group call (docs/mcp-over-slimrpc.md §14): a fan-out to several members
// (lists, logging/setLevel, the all_<tool> tools) that collects each member's outcome within the
// route's deadline, and an owner call to the one member that owns a name. Both make sure the
// members have a lane for the client's session first, and retry a member once after re-creating
// a lane it lost (NOT_FOUND). Failures stay per member: logged and counted by GroupMembers,
// returned here for the caller to report to the client.
import { RpcError, StatusCode } from '../../../slim/rpc/index.js';
import type { Member } from '../../group/members.js';
import { clientFailureFor } from '../errors.js';
import { errorResponse, isErrorResponse } from '../jsonrpc.js';
import type { JsonRpcRequest, JsonRpcResponse } from '../jsonrpc.js';
import { callMany, callOne } from './calls.js';
import type { CallEnv, MemberAnswer, OnMemberFrame } from './calls.js';
import type { GroupLane } from './lane.js';
import { withTraceContext } from '../../../telemetry/calls.js';
import type { TraceContext } from '../../../telemetry/types.js';

/** What one member did in a fan-out. */
export interface MemberResult {
  readonly member: Member;
  readonly response?: JsonRpcResponse;
  /** Why there is no response (a transport failure, or the member could not join the session). */
  readonly failure?: RpcError;
}

export interface OpContext {
  readonly env: CallEnv;
  readonly lane: GroupLane;
  /** The protocol version of the client's lane (stateless traffic names it per request). */
  readonly protocolVersion: string | undefined;
  /** Absolute deadline, epoch ms. */
  readonly deadline: number;
  readonly signal: AbortSignal;
  readonly onFrame: OnMemberFrame;
  /** The route span's trace context, passed to every member (docs/observability.md). */
  readonly trace?: TraceContext;
}

/** A call to `member` on the client's lane, with the call's trace context. */
const targetFor = (ctx: OpContext, member: Member) => ({
  member,
  metadata: traced(ctx, ctx.lane.metadata(member, ctx.protocolVersion)),
});
const traced = (ctx: OpContext, metadata: Record<string, string>) =>
  ctx.trace ? withTraceContext(metadata, ctx.trace) : metadata;
const remaining = (ctx: OpContext) => Math.max(1, ctx.deadline - Date.now());
const isGone = (a: MemberAnswer) => a.failure?.status === StatusCode.NOT_FOUND;

/**
 * `message` on each of `targets`; one result per target, in order. Members with a lane for the
 * session are called at once (one multicast when they are the whole group); members without one
 * get it (initialize replayed) and then the call, each on its own, so a member slow to join never
 * holds up the others. A member known to be down and without a lane is not waited for.
 */
export async function fanOut(
  ctx: OpContext,
  message: JsonRpcRequest,
  targets: readonly Member[],
  onDone?: (member: Member) => void,
): Promise<MemberResult[]> {
  const results = new Map<Member, MemberResult>();
  const ready = targets.filter((m) => ctx.lane.isReady(m));
  const fresh = targets.filter((m) => !ctx.lane.isReady(m));
  for (const m of fresh.filter((x) => x.health === 'down')) {
    const why = `member is down (${m.error ?? 'unreachable'})`;
    results.set(m, { member: m, failure: new RpcError(StatusCode.UNAVAILABLE, why) });
    onDone?.(m);
  }
  const run = { timeoutMs: remaining(ctx), signal: ctx.signal, ...(onDone ? { onDone } : {}) };
  const joinThenCall = async (m: Member): Promise<void> => {
    const [init] = await ctx.lane.ensureReady([m], ctx.signal, remaining(ctx));
    if (init?.error !== undefined) {
      results.set(m, { member: m, failure: new RpcError(StatusCode.UNAVAILABLE, init.error) });
      onDone?.(m);
      return;
    }
    const target = targetFor(ctx, m);
    results.set(
      m,
      await callOne(ctx.env, target, message, { ...run, timeoutMs: remaining(ctx) }, ctx.onFrame),
    );
  };
  const callReady = async (): Promise<void> => {
    if (ready.length === 0) return;
    const targets = ctx.lane
      .targets(ready, ctx.protocolVersion)
      .map((t) => ({ ...t, metadata: traced(ctx, t.metadata) }));
    const answers = await callMany(ctx.env, targets, message, run, ctx.onFrame);
    const retried = await Promise.all(
      answers.map((a) => (isGone(a) && !ctx.lane.stateless ? retryOnce(ctx, a.member, message) : a)),
    );
    for (const a of retried) results.set(a.member, a);
  };
  await Promise.all([callReady(), ...fresh.filter((m) => m.health !== 'down').map(joinThenCall)]);
  return targets.map((m) => results.get(m)!);
}

async function retryOnce(ctx: OpContext, member: Member, message: JsonRpcRequest): Promise<MemberAnswer> {
  ctx.lane.forget(member);
  const [init] = await ctx.lane.ensureReady([member], ctx.signal, remaining(ctx));
  if (init?.error !== undefined) return { member, failure: new RpcError(StatusCode.UNAVAILABLE, init.error) };
  const target = targetFor(ctx, member);
  return callOne(ctx.env, target, message, { timeoutMs: remaining(ctx), signal: ctx.signal }, ctx.onFrame);
}

/** `message` on its owner; the member's response, or a JSON-RPC error naming the member. */
export async function ownerCall(
  ctx: OpContext,
  member: Member,
  message: JsonRpcRequest,
): Promise<JsonRpcResponse> {
  const [init] = await ctx.lane.ensureReady([member], ctx.signal);
  let answer: MemberAnswer;
  if (init?.error !== undefined) {
    answer = { member, failure: new RpcError(StatusCode.UNAVAILABLE, init.error) };
  } else {
    const target = targetFor(ctx, member);
    answer = await callOne(
      ctx.env,
      target,
      message,
      { timeoutMs: remaining(ctx), signal: ctx.signal },
      ctx.onFrame,
    );
    if (isGone(answer) && !ctx.lane.stateless) answer = await retryOnce(ctx, member, message);
  }
  if (answer.response) return answer.response;
  if (ctx.signal.aborted && answer.failure?.status === StatusCode.CANCELLED) throw answer.failure;
  return memberError(message, member, answer.failure!);
}

/** A member's failure as the JSON-RPC error answering the client's request. */
export function memberError(message: JsonRpcRequest, member: Member, failure: RpcError): JsonRpcResponse {
  const f = clientFailureFor(failure, member.key);
  return errorResponse(message.id, f.code, `group member ${member.key}: ${f.message}`, {
    gateway: 'slim-gateway',
    member: member.key,
  });
}

/** The text describing why a member gave no usable answer (for statuses and warnings). */
export function failureText(r: MemberResult): string | undefined {
  if (r.failure) return clientFailureFor(r.failure, r.member.key).message;
  if (r.response && isErrorResponse(r.response)) return r.response.error.message;
  return undefined;
}
