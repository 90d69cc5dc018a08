// In-memory SLIMRPC: servers and clients joined by a map instead of SLIM sessions, with the same
// observable behaviour as the SLIM-backed implementation (status codes and messages, deadlines,
// cancellation, metadata, payloads copied as if they had crossed a wire, multicast attribution).
// Adapters use it in component tests; it is never used in production paths.
import { combineSignals, derivedSignal } from '../../src/util/abort.js';
import { AsyncQueue } from '../../src/util/async-queue.js';
import { NULL_ID, baseName, formatName, sameComponents } from '../../src/slim/dataplane/name.js';
import type { SlimName } from '../../src/slim/dataplane/name.js';
import { RpcError, StatusCode, toRpcError } from '../../src/slim/rpc/status.js';
import type {
  CallOptions,
  MethodHandler,
  MulticastClient,
  MulticastItem,
  RpcClient,
  RpcContext,
  RpcServer,
  ServiceDefinition,
} from '../../src/slim/rpc/types.js';

/** Default deadline when the caller gives none (the reference's 10 h). */
export const DEFAULT_RPC_TIMEOUT_MS = 36_000_000;

interface MemoryServer extends RpcServer {
  readonly name: SlimName;
  lookup(service: string, method: string): MethodHandler | undefined;
  readonly closing: boolean;
  readonly shutdown: AbortSignal;
  /** Why a caller (its identity) is refused, or undefined (server.ts `authorize`). */
  readonly authorize?: ((identity: string) => string | undefined) | undefined;
}

export class MemoryRpcNetwork {
  private readonly servers: MemoryServer[] = [];
  private rr = 0;

  /**
   * A server reachable under `name` (its id, if any, is the instance id). A caller's identity here
   * is its name without the id; `authorize` refuses callers with PERMISSION_DENIED.
   */
  server(name: SlimName, authorize?: (identity: string) => string | undefined): RpcServer {
    const services = new Map<string, ServiceDefinition>();
    const shutdown = new AbortController();
    const inflight = new Set<Promise<unknown>>();
    let closing = false;
    const server: MemoryServer = {
      name,
      authorize,
      get closing() {
        return closing;
      },
      shutdown: shutdown.signal,
      register: (service) => void services.set(service.name, service),
      lookup: (service, method) => services.get(service)?.methods[method],
      close: async (graceMs = 0) => {
        if (closing) return;
        closing = true;
        const idx = this.servers.indexOf(server);
        if (idx >= 0) this.servers.splice(idx, 1);
        const all = Promise.allSettled([...inflight]);
        await Promise.race([all, new Promise((r) => setTimeout(r, graceMs))]);
        shutdown.abort(new RpcError(StatusCode.CANCELLED, 'Server shutting down'));
      },
    };
    (server as unknown as { track: (p: Promise<unknown>) => void }).track = (p) => {
      inflight.add(p);
      void p.finally(() => inflight.delete(p)).catch(() => {});
    };
    this.servers.push(server);
    return server;
  }

  private pick(target: SlimName): MemoryServer | undefined {
    const matches = this.servers.filter(
      (s) => sameComponents(s.name, target) && (target.id === NULL_ID || s.name.id === target.id),
    );
    if (matches.length === 0) return undefined;
    return matches[this.rr++ % matches.length];
  }

  /** A client for `target`, calling as `caller`. */
  client(target: SlimName, caller: SlimName): RpcClient {
    const open = (
      service: string,
      method: string,
      requests: AsyncIterable<Uint8Array>,
      options: CallOptions = {},
    ) => this.call(target, caller, service, method, requests, options);
    let closed = false;
    const check = () => {
      if (closed) throw new RpcError(StatusCode.UNAVAILABLE, 'channel closed');
    };
    return {
      target,
      unary: async (service, method, request, options) => {
        check();
        return single(open(service, method, once(request), options));
      },
      serverStream: (service, method, request, options) => {
        check();
        return open(service, method, once(request), options);
      },
      clientStream: async (service, method, requests, options) => {
        check();
        return single(open(service, method, requests, options));
      },
      bidiStream: (service, method, requests, options) => {
        check();
        return open(service, method, requests, options);
      },
      close: () => {
        closed = true;
        return Promise.resolve();
      },
    };
  }

  /** A multicast client over `members` (each must be served by a server on this network). */
  multicast(members: SlimName[], caller: SlimName): MulticastClient {
    const list = [...members];
    const run = (service: string, method: string, request: Uint8Array, options: CallOptions = {}) => {
      const out = new AsyncQueue<MulticastItem>();
      let pending = list.length;
      if (pending === 0) out.end();
      for (const member of list) {
        // Each member's call on a signal of its own: one listener on the caller's, not one each.
        const own = derivedSignal(options.signal);
        const opts = own.signal ? { ...options, signal: own.signal } : options;
        void (async () => {
          try {
            for await (const payload of this.call(member, caller, service, method, once(request), opts)) {
              await out.push({ kind: 'data', member, payload });
            }
            await out.push({ kind: 'end', member });
          } catch (err) {
            await out.push({ kind: 'error', member, error: toRpcError(err) });
          } finally {
            own.release();
            if (--pending === 0) out.end();
          }
        })();
      }
      return out;
    };
    return {
      members: () => [...list],
      addMember: (name) => {
        if (!list.some((m) => sameComponents(m, name))) list.push(name);
        return Promise.resolve();
      },
      removeMember: (name) => {
        const i = list.findIndex((m) => sameComponents(m, name));
        if (i >= 0) list.splice(i, 1);
        return Promise.resolve();
      },
      unary: run,
      serverStream: run,
      close: () => Promise.resolve(),
    };
  }

  private call(
    target: SlimName,
    caller: SlimName,
    service: string,
    method: string,
    requests: AsyncIterable<Uint8Array>,
    options: CallOptions,
  ): AsyncIterable<Uint8Array> {
    const out = new AsyncQueue<Uint8Array>(64);
    const timeoutMs = options.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    const server = this.pick(target);
    const local = combineSignals([options.signal], timeoutMs);
    const fail = (err: unknown) => {
      local.dispose();
      out.fail(err);
    };
    const onAbort = () => {
      const reason: unknown = local.signal.reason;
      const timedOut = reason instanceof Error && (reason as { code?: string }).code === 'TIMEOUT';
      fail(
        timedOut
          ? new RpcError(StatusCode.DEADLINE_EXCEEDED, 'Client deadline exceeded while receiving response')
          : new RpcError(StatusCode.CANCELLED, 'call cancelled by the caller'),
      );
    };
    // A signal aborted before the call fires no event: fail at once, as the SLIM channel does.
    if (local.signal.aborted) {
      onAbort();
      return out;
    }
    local.signal.addEventListener('abort', onAbort);
    if (!server || server.closing) {
      fail(new RpcError(StatusCode.UNAVAILABLE, `no SLIMRPC server reachable at ${formatName(target)}`));
      return out;
    }
    const entry = server.lookup(service, method);
    if (!entry) {
      fail(new RpcError(StatusCode.UNIMPLEMENTED, `Method not found: ${service}/${method}`));
      return out;
    }
    const refused = server.authorize?.(baseName(caller));
    if (refused !== undefined) {
      const message = `caller ${baseName(caller)} is not allowed: ${refused}`;
      fail(new RpcError(StatusCode.PERMISSION_DENIED, message));
      return out;
    }
    const serverSide = combineSignals([server.shutdown, local.signal], timeoutMs);
    const ctx: RpcContext = {
      service,
      method,
      metadata: Object.freeze({ ...(options.metadata ?? {}) }),
      source: caller,
      identity: baseName(caller),
      deadline,
      signal: serverSide.signal,
      // In memory the stream's end is the handler's end: nothing to leave out.
      omitEos: () => {},
    };
    const copied = copyStream(requests);
    const work = (async () => {
      try {
        switch (entry.kind) {
          case 'unary':
            await out.push(copy(await entry.handler(await single(copied), ctx)));
            break;
          case 'clientStream':
            await out.push(copy(await entry.handler(copied, ctx)));
            break;
          case 'serverStream':
            for await (const item of entry.handler(await single(copied), ctx)) await out.push(copy(item));
            break;
          case 'bidiStream':
            for await (const item of entry.handler(copied, ctx)) await out.push(copy(item));
            break;
        }
        local.dispose();
        out.end();
      } catch (err) {
        fail(
          serverSide.signal.aborted && server.shutdown.aborted
            ? new RpcError(StatusCode.CANCELLED, 'Server shutting down')
            : toRpcError(err),
        );
      } finally {
        serverSide.dispose();
      }
    })();
    (server as unknown as { track: (p: Promise<unknown>) => void }).track(work);
    return out;
  }
}

function copy(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

async function* once(item: Uint8Array): AsyncIterable<Uint8Array> {
  yield item;
}

async function* copyStream(items: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  for await (const item of items) yield copy(item);
}

async function single(items: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  let first: Uint8Array | undefined;
  for await (const item of items) {
    if (first === undefined) first = item;
  }
  if (first === undefined) throw new RpcError(StatusCode.INTERNAL, 'No response received');
  return first;
}
