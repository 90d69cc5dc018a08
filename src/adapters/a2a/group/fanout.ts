// One A2A message to every agent of a group (spec/slimrpc-a2a-mcp.md §2.3; a2aproject
// experimental-cpb-slimrpc spec/slimrpc-multicast.md): SendMessage or SendStreamingMessage in
// A2A v1.0 over the group's multicast channel (one MLS group), each answer attributed by its SLIM
// source. An agent that does not serve the v1.0 service (UNIMPLEMENTED "Method not found") gets the
// same message over its unicast channel in the version it speaks. Each agent's outcome is its own:
// an error, a deadline or a lost member never affects the others (§7.2 of the multicast spec).
import type { Message } from '@bufbuild/protobuf';
import { RpcError, StatusCode } from '../../../slim/rpc/index.js';
import type { MulticastClient, MulticastItem } from '../../../slim/rpc/index.js';
import { AsyncQueue } from '../../../util/async-queue.js';
import type { GroupMembers, Member } from '../../group/members.js';
import type { A2aBindingClient, BindingCall } from '../ingress/binding-client.js';
import { isMethodNotFound } from '../ingress/binding-client.js';
import * as v1 from '../gen/a2a/v1_0/a2a_pb.js';
import { decode, encode, opByName, SERVICE } from '../methods/table.js';

export interface GroupEnv {
  readonly members: GroupMembers;
  readonly multicast: MulticastClient;
  /** The v1.0-speaking binding client of one member (falls back to v0.3 by itself). */
  readonly binding: (m: Member) => A2aBindingClient;
}

export type AgentEvent =
  | { readonly member: Member; readonly kind: 'event'; readonly event: v1.StreamResponse }
  | { readonly member: Member; readonly kind: 'end' }
  | { readonly member: Member; readonly kind: 'error'; readonly error: unknown };

const SEND = opByName('SendMessage');
const STREAM = opByName('SendStreamingMessage');

function options(call: BindingCall) {
  return {
    timeoutMs: call.timeoutMs,
    signal: call.signal,
    metadata: { ...call.metadata, 'a2a-version': '1.0' },
  };
}

function missing(call: BindingCall): RpcError {
  return call.signal.aborted
    ? new RpcError(StatusCode.DEADLINE_EXCEEDED, 'no answer within the route deadline')
    : new RpcError(StatusCode.UNAVAILABLE, 'no answer from the agent over the group');
}

/**
 * Every agent's events, interleaved as they come, each agent ending with `end` or `error`.
 * `streaming` picks SendStreamingMessage (events) or SendMessage (one `event` holding the answer's
 * task or message).
 */
export function sendToAll(
  env: GroupEnv,
  req: v1.SendMessageRequest,
  call: BindingCall,
  streaming: boolean,
): AsyncIterable<AgentEvent> {
  const out = new AsyncQueue<AgentEvent>();
  const members = [...env.members.all()];
  const open = new Set(members);
  const settle = async (e: AgentEvent) => {
    if (!open.has(e.member)) return;
    if (e.kind === 'end') env.members.reportOk(e.member);
    if (e.kind === 'error') env.members.reportFailure(e.member, e.error, streaming ? STREAM.name : SEND.name);
    if (e.kind !== 'event') open.delete(e.member);
    await out.push(e);
    if (open.size === 0) out.end();
  };
  const fallbacks: Promise<void>[] = [];
  const unicast = (m: Member) =>
    fallbacks.push(
      (async () => {
        try {
          if (streaming) {
            for await (const ev of env.binding(m).stream(STREAM, '1.0', req, call))
              await settle({ member: m, kind: 'event', event: ev as v1.StreamResponse });
          } else {
            const res = (await env.binding(m).unary(SEND, '1.0', req, call)) as v1.SendMessageResponse;
            await settle({ member: m, kind: 'event', event: asStreamResponse(res) });
          }
          await settle({ member: m, kind: 'end' });
        } catch (err) {
          await settle({ member: m, kind: 'error', error: err });
        }
      })(),
    );

  const onItem = async (m: Member, item: MulticastItem, heard: Set<Member>) => {
    if (item.kind === 'data') {
      let event: v1.StreamResponse;
      try {
        event = streaming
          ? (decode(v1.StreamResponseSchema, item.payload, 'InvalidAgentResponseError') as v1.StreamResponse)
          : asStreamResponse(
              decode(
                v1.SendMessageResponseSchema,
                item.payload,
                'InvalidAgentResponseError',
              ) as v1.SendMessageResponse,
            );
      } catch (err) {
        heard.add(m);
        await settle({ member: m, kind: 'error', error: err });
        return;
      }
      await settle({ member: m, kind: 'event', event });
      return;
    }
    heard.add(m);
    if (item.kind === 'end') await settle({ member: m, kind: 'end' });
    else if (isMethodNotFound(item.error)) {
      // This agent does not serve A2A v1.0 over SLIMRPC: ask it in the version it speaks.
      env.binding(m).learn(new Set(['0.3']));
      unicast(m);
    } else await settle({ member: m, kind: 'error', error: item.error });
  };

  void (async () => {
    const joined = members.filter((m) => m.joined);
    for (const m of members)
      if (!m.joined)
        await settle({
          member: m,
          kind: 'error',
          error: new RpcError(StatusCode.UNAVAILABLE, m.error ?? 'not in the group'),
        });
    if (joined.length === 0) return open.size === 0 ? out.end() : undefined;
    const side = streaming ? STREAM.v1 : SEND.v1;
    const heard = new Set<Member>();
    try {
      const items = streaming
        ? env.multicast.serverStream(SERVICE['1.0'], side.slim, encode(side.req, req), options(call))
        : env.multicast.unary(SERVICE['1.0'], side.slim, encode(side.req, req), options(call));
      for await (const item of items) {
        const m = env.members.bySource(item.member);
        if (!m || !joined.includes(m) || heard.has(m)) continue;
        await onItem(m, item, heard);
      }
    } catch (err) {
      for (const m of joined) if (!heard.has(m)) await settle({ member: m, kind: 'error', error: err });
    }
    for (const m of joined)
      if (!heard.has(m)) await settle({ member: m, kind: 'error', error: missing(call) });
    await Promise.all(fallbacks);
  })();

  return out;
}

/** A SendMessage answer in the shape of a stream event (same oneof). */
export function asStreamResponse(res: v1.SendMessageResponse): v1.StreamResponse {
  const r = res.payload;
  if (r.case === 'task')
    return { $typeName: 'lf.a2a.v1.StreamResponse', payload: { case: 'task', value: r.value } };
  if (r.case === 'message')
    return { $typeName: 'lf.a2a.v1.StreamResponse', payload: { case: 'message', value: r.value } };
  return { $typeName: 'lf.a2a.v1.StreamResponse', payload: { case: undefined } };
}

/** A stream event of a SendMessage answer back in SendMessageResponse shape. */
export function asSendResponse(ev: v1.StreamResponse): v1.SendMessageResponse {
  const r = ev.payload;
  if (r.case === 'task')
    return { $typeName: 'lf.a2a.v1.SendMessageResponse', payload: { case: 'task', value: r.value } };
  if (r.case === 'message')
    return { $typeName: 'lf.a2a.v1.SendMessageResponse', payload: { case: 'message', value: r.value } };
  return { $typeName: 'lf.a2a.v1.SendMessageResponse', payload: { case: undefined } };
}

/** `op` on each of `members` by unicast, in parallel; one result (or error) per member. */
export async function eachMember<T extends Message>(
  env: GroupEnv,
  members: readonly Member[],
  run: (b: A2aBindingClient) => Promise<Message>,
  method: string,
): Promise<{ member: Member; result?: T; error?: unknown }[]> {
  return Promise.all(
    members.map(async (member) => {
      try {
        const result = (await run(env.binding(member))) as T;
        env.members.reportOk(member);
        return { member, result };
      } catch (error) {
        env.members.reportFailure(member, error, method);
        return { member, error };
      }
    }),
  );
}
