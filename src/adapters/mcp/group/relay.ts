// The relay of a group route (docs/mcp-over-slimrpc.md §14): to the Streamable HTTP and stdio
// fronts it is the same relay as for one service (request / notify / close / listenLoop), but it
// answers as one MCP server made of all the members. initialize, lists and logging/setLevel fan
// out to every member; a call on a name goes to the member that owns it; an all_<tool> call goes
// to every owner at once. Server-to-client traffic is relayed with member-tagged ids.
import { RpcError, StatusCode } from '../../../slim/rpc/index.js';
import type { MulticastClient } from '../../../slim/rpc/index.js';
import { AsyncQueue } from '../../../util/async-queue.js';
import { combineSignals, derivedSignal } from '../../../util/abort.js';
import { describeError } from '../../../util/errors.js';
import type { Logger } from '../../../util/log.js';
import type { TraceContext } from '../../../telemetry/types.js';
import type { GroupMembers, Member } from '../../group/members.js';
import { cancelledRequestId, errorResponse, idKey, JsonRpcCode } from '../jsonrpc.js';
import type { JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from '../jsonrpc.js';
import type { CallExtras, Frame, LaneRef, McpRelay } from '../ingress/relay.js';
import type { RelayTimeouts } from '../ingress/relay.js';
import type { Classified } from '../jsonrpc.js';
import { CatalogCache } from './catalog-cache.js';
import { GroupLane } from './lane.js';
import { listenToGroup } from './listen.js';
import { fromMember, localFrame, untagId } from './member-frames.js';
import { GroupOps } from './method-routing.js';

export interface GroupRelayOptions {
  readonly route: string;
  readonly members: GroupMembers;
  readonly multicast: MulticastClient;
  /** The route's deadline: a fan-out reports what answered within it. */
  readonly timeoutMs: number;
  readonly logger: Logger;
  readonly serverVersion: string;
  readonly listenTimeouts: RelayTimeouts;
}

function isResponse(m: JsonRpcNotification | JsonRpcResponse): m is JsonRpcResponse {
  return typeof (m as { method?: unknown }).method !== 'string';
}

export class GroupRelay implements McpRelay {
  private readonly lanes = new Map<string, GroupLane>();
  private readonly stateless: GroupLane;
  private readonly catalog: CatalogCache;
  private readonly env;
  private readonly closing = new AbortController();

  constructor(private readonly o: GroupRelayOptions) {
    this.env = { members: o.members, multicast: o.multicast, timeoutMs: o.timeoutMs };
    this.stateless = new GroupLane(undefined, this.env);
    this.catalog = new CatalogCache(o.members);
    // A member that leaves has its sessions ended first, so it holds nothing of ours.
    o.members.beforeLeave((m) =>
      Promise.all([...this.lanes.values()].map((l) => l.closeMember(m))).then(() => {}),
    );
    o.members.onChange((change) => {
      if (change.kind === 'membership') for (const key of change.removed) this.catalog.forget(key);
    });
  }

  private lane(ref: LaneRef): GroupLane {
    if (ref.sessionId === undefined) return this.stateless;
    const lane = this.lanes.get(ref.sessionId);
    if (!lane) throw new RpcError(StatusCode.NOT_FOUND, `SessionNotFound: no group session ${ref.sessionId}`);
    return lane;
  }

  request(
    message: JsonRpcRequest,
    ref: LaneRef,
    signal: AbortSignal,
    extras?: CallExtras,
  ): AsyncIterable<Frame> {
    const out = new AsyncQueue<Frame>();
    void (async () => {
      try {
        const response = await this.dispatch(message, ref, signal, (f) => out.push(f), extras?.trace);
        await out.push(localFrame(response, 'response'));
        out.end();
      } catch (err) {
        out.fail(err);
      }
    })();
    return out;
  }

  private async dispatch(
    message: JsonRpcRequest,
    ref: LaneRef,
    signal: AbortSignal,
    emit: (f: Frame) => Promise<void>,
    trace: TraceContext | undefined,
  ): Promise<JsonRpcResponse> {
    if (this.closing.signal.aborted) throw new RpcError(StatusCode.UNAVAILABLE, 'the group route is closing');
    if (message.method === 'initialize') {
      if (ref.sessionId === undefined)
        throw new RpcError(StatusCode.INVALID_ARGUMENT, 'InvalidMessage: initialize needs a session');
      const lane = new GroupLane(ref.sessionId, this.env);
      lane.initRequest = message;
      this.lanes.set(ref.sessionId, lane);
    }
    const lane = this.lane(ref);
    const tracked = lane.track(message.id, this.o.members.all());
    // `finished` stops what is left (a down member not waited for) once the client has its answer.
    const finished = new AbortController();
    // The route's closing signal through one shared listener, not one per call in flight.
    const closing = derivedSignal(this.closing.signal);
    const deadline = combineSignals(
      [signal, tracked.abort.signal, closing.signal, finished.signal],
      this.o.timeoutMs,
    );
    const onFrame = async (m: Member, c: Classified) => {
      this.catalog.noticeFrame(m, c);
      const f = fromMember(m, c);
      if (f) await emit(f);
    };
    const ops = new GroupOps({
      env: this.env,
      lane,
      protocolVersion: ref.protocolVersion ?? lane.protocolVersion,
      deadline: Date.now() + this.o.timeoutMs,
      signal: deadline.signal,
      onFrame,
      catalog: this.catalog,
      route: this.o.route,
      serverVersion: this.o.serverVersion,
      emit: (n: JsonRpcNotification) => emit(localFrame(n, 'notification')),
      ...(trace ? { trace } : {}),
    });
    try {
      const response = await ops.run(message);
      if (tracked.abort.signal.aborted)
        throw new RpcError(StatusCode.CANCELLED, 'Cancelled: the client cancelled the request');
      return response;
    } catch (err) {
      if (tracked.abort.signal.aborted)
        throw new RpcError(StatusCode.CANCELLED, 'Cancelled: the client cancelled the request');
      if (err instanceof RpcError) throw err;
      this.o.logger.warn({ method: message.method, err: describeError(err) }, 'group call failed');
      return errorResponse(
        message.id,
        JsonRpcCode.INTERNAL_ERROR,
        `group call failed: ${describeError(err)}`,
      );
    } finally {
      finished.abort();
      deadline.dispose();
      closing.release();
      tracked.done();
    }
  }

  async notify(
    message: JsonRpcNotification | JsonRpcResponse,
    ref: LaneRef,
    signal?: AbortSignal,
  ): Promise<void> {
    const lane = this.lane(ref);
    const send = (m: Member, msg: JsonRpcNotification | JsonRpcResponse) =>
      lane.notifyOne(m, msg, signal).catch((err: unknown) => {
        this.o.logger.debug(
          { member: m.key, err: describeError(err) },
          'notification to a group member failed',
        );
      });
    if (isResponse(message)) {
      const tag = untagId(message.id);
      const member = tag && this.o.members.all().find((m) => m.key === tag.member);
      if (!tag || !member) {
        this.o.logger.debug('a response to no member request: dropped');
        return;
      }
      await send(member, { ...message, id: tag.id });
      return;
    }
    if (message.method === 'notifications/cancelled') {
      const id = cancelledRequestId(message);
      const entry = id === undefined ? undefined : lane.inflight.get(idKey(id));
      if (!entry) return;
      entry.abort.abort();
      await Promise.all(entry.members.filter((m) => lane.isReady(m)).map((m) => send(m, message)));
      return;
    }
    if (message.method === 'notifications/initialized') lane.initialized = message;
    await Promise.all(lane.readyMembers().map((m) => send(m, message)));
  }

  async close(ref: LaneRef): Promise<void> {
    if (ref.sessionId === undefined) return;
    const lane = this.lanes.get(ref.sessionId);
    if (!lane) return;
    this.lanes.delete(ref.sessionId);
    lane.ended.abort();
    await lane.close();
  }

  listenLoop(
    ref: () => LaneRef,
    signal: AbortSignal,
    onFrame: (frame: Frame) => Promise<void>,
  ): Promise<'gone' | 'stopped'> {
    const sessionId = ref().sessionId;
    const lane = sessionId === undefined ? undefined : this.lanes.get(sessionId);
    if (!lane) return Promise.resolve('gone');
    return listenToGroup({
      lane,
      members: this.o.members,
      catalog: this.catalog,
      timeouts: this.o.listenTimeouts,
      timeoutMs: this.o.timeoutMs,
      logger: this.o.logger,
      signal: AbortSignal.any([signal, this.closing.signal]),
      onFrame,
    });
  }

  /** Ends every group session (the fronts close theirs first). */
  async closeAll(): Promise<void> {
    this.closing.abort();
    const lanes = [...this.lanes.values()];
    this.lanes.clear();
    for (const l of lanes) l.ended.abort();
    await Promise.all(lanes.map((l) => l.close()));
  }
}
