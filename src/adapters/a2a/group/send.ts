// How a group route answers the messages it sends (docs/a2a-over-slim.md "Groups"): SendMessage
// to every agent becomes one aggregated Message; SendStreamingMessage to every agent becomes their
// events interleaved as they come (ids presented, each tagged with its agent), a Message event for
// each agent that fails, and a closing summary; a stream from one agent (a routed message or
// SubscribeToTask) is relayed with its ids presented. All in A2A v1.0, converted to the client's
// version on the way out.
import type { ServerResponse } from 'node:http';
import { create } from '@bufbuild/protobuf';
import type { JsonValue, Message } from '@bufbuild/protobuf';
import type { Member } from '../../group/members.js';
import type { BindingCall } from '../ingress/binding-client.js';
import { toJsonRpcError } from '../errors.js';
import * as v1 from '../gen/a2a/v1_0/a2a_pb.js';
import { errorResponse, resultResponse } from '../jsonrpc.js';
import type { JsonRpcCall } from '../jsonrpc.js';
import { convertResponse, opByName, sideOf } from '../methods/table.js';
import type { A2aVersion, Op } from '../methods/table.js';
import { SseWriter } from '../sse.js';
import { aggregateMessage, failureEvent, summaryEvent } from './aggregate.js';
import type { AgentOutcome, AgentStatus } from './aggregate.js';
import { asSendResponse, sendToAll } from './fanout.js';
import type { GroupEnv } from './fanout.js';
import { prefixSendResponse, prefixStreamResponse, tagSendResponse, tagStreamResponse } from './ids.js';

const SEND = opByName('SendMessage');
const STREAM = opByName('SendStreamingMessage');

export interface GroupSends {
  sendAll(
    req: v1.SendMessageRequest,
    version: A2aVersion,
    call: BindingCall,
  ): Promise<v1.SendMessageResponse>;
  streamAll(
    call: JsonRpcCall,
    req: v1.SendMessageRequest,
    res: ServerResponse,
    bc: BindingCall,
    signal: AbortSignal,
  ): Promise<void>;
  streamOne(
    call: JsonRpcCall,
    op: Op,
    m: Member,
    req: Message,
    res: ServerResponse,
    bc: BindingCall,
    signal: AbortSignal,
  ): Promise<void>;
}

export function groupSends(env: GroupEnv, keepaliveMs: number): GroupSends {
  const members = env.members;
  const statusOf = (m: Member, err: unknown, version: A2aVersion): AgentStatus => {
    const e = toJsonRpcError(err, version);
    return { member: m.key, prefix: m.prefix, status: 'failed', error: { code: e.code, message: e.message } };
  };

  /** SendMessage to every agent: one aggregated Message (v1.0). */
  const sendAll = async (req: v1.SendMessageRequest, version: A2aVersion, call: BindingCall) => {
    const outcomes = new Map<Member, AgentOutcome>();
    for await (const e of sendToAll(env, req, call, false)) {
      if (e.kind === 'event') {
        const res = asSendResponse(e.event);
        prefixSendResponse(res, e.member.prefix);
        tagSendResponse(res, e.member.key);
        const json = sideOf(SEND, version)!.resToJson(
          convertResponse(SEND, '1.0', version, res),
        ) as JsonValue;
        outcomes.set(e.member, {
          member: e.member.key,
          prefix: e.member.prefix,
          status: 'ok',
          response: json,
        });
      } else if (e.kind === 'error') outcomes.set(e.member, statusOf(e.member, e.error, version));
    }
    const ordered = members.all().flatMap((m) => {
      const x = outcomes.get(m);
      return x ? [x] : [];
    });
    const contextId = req.message?.contextId || `group-${Date.now().toString(36)}`;
    return create(v1.SendMessageResponseSchema, {
      payload: { case: 'message', value: aggregateMessage(ordered, contextId) },
    });
  };

  const streamEvent = (ev: v1.StreamResponse, version: A2aVersion) =>
    sideOf(STREAM, version)!.resToJson(convertResponse(STREAM, '1.0', version, ev));

  /** SendStreamingMessage to every agent: their events interleaved, then a summary. */
  const streamAll = async (
    call: JsonRpcCall,
    req: v1.SendMessageRequest,
    res: ServerResponse,
    bc: BindingCall,
    signal: AbortSignal,
  ) => {
    const contextId = req.message?.contextId || `group-${Date.now().toString(36)}`;
    const statuses = new Map<Member, AgentStatus>();
    const sse = new SseWriter(res, keepaliveMs);
    let started = false;
    try {
      for await (const e of sendToAll(env, req, bc, true)) {
        if (!started) {
          sse.start();
          started = true;
        }
        if (e.kind === 'event') {
          prefixStreamResponse(e.event, e.member.prefix);
          tagStreamResponse(e.event, e.member.key);
          await sse.event(resultResponse(call.id, streamEvent(e.event, call.version)), signal);
        } else if (e.kind === 'end') {
          statuses.set(e.member, { member: e.member.key, prefix: e.member.prefix, status: 'ok' });
        } else {
          const s = statusOf(e.member, e.error, call.version);
          statuses.set(e.member, s);
          await sse.event(
            resultResponse(call.id, streamEvent(failureEvent(s, contextId), call.version)),
            signal,
          );
        }
      }
      if (!started) sse.start();
      const ordered = members.all().flatMap((m) => (statuses.has(m) ? [statuses.get(m)!] : []));
      await sse.event(
        resultResponse(call.id, streamEvent(summaryEvent(ordered, contextId), call.version)),
        signal,
      );
    } finally {
      sse.end(signal.aborted);
    }
  };

  /** One agent's stream (a routed SendStreamingMessage or SubscribeToTask), ids presented. */
  const streamOne = async (
    call: JsonRpcCall,
    op: Op,
    m: Member,
    req: Message,
    res: ServerResponse,
    bc: BindingCall,
    signal: AbortSignal,
  ) => {
    const events = env.binding(m).stream(op, '1.0', req, bc);
    const first = await events.next();
    const sse = new SseWriter(res, keepaliveMs);
    sse.start();
    try {
      for (let r = first; !r.done; r = await events.next()) {
        const ev = r.value as v1.StreamResponse;
        prefixStreamResponse(ev, m.prefix);
        tagStreamResponse(ev, m.key);
        await sse.event(
          resultResponse(
            call.id,
            sideOf(op, call.version)!.resToJson(convertResponse(op, '1.0', call.version, ev)),
          ),
          signal,
        );
      }
    } catch (err) {
      if (!signal.aborted) await sse.event(errorResponse(call.id, err, call.version), signal);
    } finally {
      sse.end(signal.aborted);
      await events.return(undefined);
    }
  };

  return { sendAll, streamAll, streamOne };
}
