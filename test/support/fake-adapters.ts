// Test fakes for the MCP and A2A adapters (the real ones live in src/adapters): just enough protocol
// to prove the gateway wires routes to services through SLIMRPC. The MCP fake carries one JSON-RPC
// message per call on mcp.v1.McpService/Request; the A2A fake serves an agent card built from the
// route's external base URL and SendMessage on lf.a2a.v1.A2AService. A call to the method "slow"
// waits until the test releases it (or the call is cancelled), to exercise shutdown.
import { createInterface } from 'node:readline';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { A2aAdapter, IngressOptions, McpAdapter } from '../../src/gateway/deps.js';
import { formatName } from '../../src/slim/dataplane/name.js';
import type { MulticastClient, RpcClient, ServiceDefinition, RpcContext } from '../../src/slim/rpc/types.js';
import { abortError, raceSignal } from '../../src/util/abort.js';
import { readBody, sendJson } from '../../src/util/http.js';
import type { HttpHandler, HttpRequestContext } from '../../src/util/http.js';

const te = new TextEncoder();
const td = new TextDecoder();

export interface FakeState {
  /** Names of the services created and not yet closed (one entry per open instance). */
  readonly openServices: Multiset;
  /** Route paths whose ingress is open (one entry per open ingress). */
  readonly openIngresses: Multiset;
  /** Calls to "slow" wait for this (replace it to hold calls again). */
  release: Promise<void>;
  releaseNow: () => void;
  /** Calls to "slow" that have started (resolves each time one arrives). */
  slowStarted: number;
  /** Backend kinds seen by createService, by service name. */
  readonly backends: Map<string, string>;
  /** Names for which createService fails (to exercise retries and /readyz). */
  readonly failing: Set<string>;
}

/** Open instances by key: a changed route may briefly have two ingresses for one path. */
export class Multiset {
  private readonly items: string[] = [];
  add(key: string): void {
    this.items.push(key);
  }
  delete(key: string): void {
    const i = this.items.indexOf(key);
    if (i >= 0) this.items.splice(i, 1);
  }
  [Symbol.iterator](): Iterator<string> {
    return [...this.items][Symbol.iterator]();
  }
}

export function fakeState(): FakeState {
  const state: FakeState = {
    openServices: new Multiset(),
    openIngresses: new Multiset(),
    release: Promise.resolve(),
    releaseNow: () => {},
    slowStarted: 0,
    backends: new Map(),
    failing: new Set(),
  };
  hold(state);
  return state;
}

/** Makes "slow" calls wait again until `state.releaseNow()`. */
export function hold(state: FakeState): void {
  state.release = new Promise<void>((r) => (state.releaseNow = r));
}

async function answer(
  state: FakeState,
  server: string,
  body: Uint8Array,
  ctx: RpcContext,
): Promise<Uint8Array> {
  const msg = JSON.parse(td.decode(body)) as { id?: unknown; method?: string; params?: unknown };
  if (msg.method === 'slow') {
    state.slowStarted++;
    await raceSignal(state.release, ctx.signal);
  }
  return te.encode(
    JSON.stringify({ jsonrpc: '2.0', id: msg.id ?? null, result: { server, echo: msg.params ?? null } }),
  );
}

function isMulticast(c: RpcClient | MulticastClient): c is MulticastClient {
  return 'members' in c;
}

/** Sends one message through the route's client; a group answers with every member's result. */
async function call(
  opts: IngressOptions,
  service: string,
  method: string,
  body: Uint8Array,
  signal: AbortSignal,
) {
  const options = { signal, timeoutMs: opts.timeoutMs };
  try {
    if (!isMulticast(opts.client)) {
      let last: Uint8Array | undefined;
      for await (const item of opts.client.serverStream(service, method, body, options)) last = item;
      return JSON.parse(td.decode(last!)) as unknown;
    }
    const results: unknown[] = [];
    for await (const item of opts.client.unary(service, method, body, options)) {
      if (item.kind === 'data')
        results.push({
          member: formatName(item.member),
          response: JSON.parse(td.decode(item.payload)) as unknown,
        });
      if (item.kind === 'error') results.push({ member: formatName(item.member), error: item.error.message });
    }
    return results;
  } catch (err) {
    // The request's own signal says why it ended (client gone, or the gateway shutting down).
    if (signal.aborted) throw abortError(signal);
    throw err;
  }
}

function ingressHandler(opts: IngressOptions, service: string, method: string): HttpHandler {
  return async (req: IncomingMessage, res: ServerResponse, ctx: HttpRequestContext) => {
    if (req.method === 'GET') {
      const card = { name: opts.route, url: ctx.baseUrl, subpath: ctx.subpath };
      return sendJson(res, 200, card);
    }
    const body = await readBody(req, opts.maxBodyBytes);
    sendJson(res, 200, await call(opts, service, method, body, ctx.signal));
  };
}

export function fakeMcp(state: FakeState): McpAdapter {
  return {
    createService: ({ name, backend }) => {
      const key = formatName(name);
      if (state.failing.has(key)) throw new Error(`backend of ${key} is down`);
      state.openServices.add(key);
      state.backends.set(key, backend.kind);
      const service: ServiceDefinition = {
        name: 'mcp.v1.McpService',
        methods: {
          Request: {
            kind: 'serverStream',
            async *handler(req, ctx) {
              yield await answer(state, key, req, ctx);
            },
          },
        },
      };
      return { service, close: () => Promise.resolve(void state.openServices.delete(key)) };
    },
    createIngress: (opts) => {
      state.openIngresses.add(opts.route);
      let markClosed!: () => void;
      const closed = new Promise<void>((r) => (markClosed = r));
      return {
        handler: ingressHandler(opts, 'mcp.v1.McpService', 'Request'),
        serveStdio: async (input, output, signal = new AbortController().signal) => {
          const lines = createInterface({ input });
          signal.addEventListener('abort', () => lines.close(), { once: true });
          for await (const line of lines) {
            const reply = await call(opts, 'mcp.v1.McpService', 'Request', te.encode(line), signal);
            output.write(JSON.stringify(reply) + '\n');
          }
        },
        // The fake keeps no MCP sessions.
        sessionCount: () => 0,
        close: () => {
          state.openIngresses.delete(opts.route);
          markClosed();
          return Promise.resolve();
        },
        closed: () => closed,
      };
    },
  };
}

export function fakeA2a(state: FakeState): A2aAdapter {
  return {
    createService: ({ name }) => {
      const key = formatName(name);
      if (state.failing.has(key)) throw new Error(`agent ${key} is down`);
      state.openServices.add(key);
      state.backends.set(key, 'a2a');
      const services: ServiceDefinition[] = [
        {
          name: 'lf.a2a.v1.A2AService',
          methods: {
            SendMessage: { kind: 'unary', handler: (req, ctx) => answer(state, key, req, ctx) },
          },
        },
      ];
      return { services, close: () => Promise.resolve(void state.openServices.delete(key)) };
    },
    createIngress: (opts) => {
      state.openIngresses.add(opts.route);
      return {
        handler: async (req, res, ctx) => {
          if (req.method === 'GET' && ctx.subpath === '/.well-known/agent-card.json')
            return sendJson(res, 200, { name: opts.route, url: ctx.baseUrl });
          if (req.method !== 'POST') return sendJson(res, 405, { error: 'POST only' });
          const body = await readBody(req, opts.maxBodyBytes);
          if (isMulticast(opts.client))
            return sendJson(
              res,
              200,
              await call(opts, 'lf.a2a.v1.A2AService', 'SendMessage', body, ctx.signal),
            );
          const out = await opts.client.unary('lf.a2a.v1.A2AService', 'SendMessage', body, {
            signal: ctx.signal,
            timeoutMs: opts.timeoutMs,
          });
          sendJson(res, 200, JSON.parse(td.decode(out)));
        },
        close: () => Promise.resolve(void state.openIngresses.delete(opts.route)),
      };
    },
  };
}
