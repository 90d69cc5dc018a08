// Start-up warm-up (docs/deviations.md#gateway): before the first user call, run the
// per-call path of a `tools/call` many times on throw-away objects so V8 has optimised it. Without
// this the first few hundred calls of a fresh gateway run in V8's interpreter and baseline tiers
// and cost more CPU than warm calls (BENCHMARKS.md, "A start-up warm-up for the first calls").
//
// What runs: a node of our own with no listener, two apps on in-process links wrapped so every
// frame is encoded, header-MAC'd, decoded and read by the node's fast path as on a gRPC link, an
// MLS point-to-point session between them (group creation, welcome, seal, open), and SLIMRPC
// unary-stream calls carrying the MCP JSON-RPC of a `tools/call` (encode, parse, classify) both
// ways. No socket, no peer: nothing leaves the process. Nothing is shared with the gateway's own
// node, apps or metrics; everything is closed before this resolves. Bounded by a CPU budget, a
// call count and a wall-clock deadline; a failure is logged and never stops start-up.
import { randomBytes } from 'node:crypto';
import { HeaderMac } from '../slim/dataplane/header-mac.js';
import type { Link, LinkState, SubscribeOptions } from '../slim/dataplane/link.js';
import { parseName } from '../slim/dataplane/name.js';
import type { SlimName } from '../slim/dataplane/name.js';
import { SharedSecretIdentity } from '../slim/auth/index.js';
import { createMlsClient } from '../slim/mls/index.js';
import { PublishFrame } from '../slim/node/publish-frame.js';
import { SlimNode } from '../slim/node/index.js';
import { decodeMessage, encodeMessage } from '../slim/proto/index.js';
import type { Message } from '../slim/proto/index.js';
import { createChannel, createRpcServer, requireMls } from '../slim/rpc/index.js';
import type { RpcClient, ServerStreamHandler } from '../slim/rpc/index.js';
import { createSlimApp } from '../slim/session/index.js';
import type { SlimApp } from '../slim/session/index.js';
import { classify, parseMessage } from '../adapters/mcp/jsonrpc.js';
import type { JsonRpcRequest } from '../adapters/mcp/jsonrpc.js';
import {
  MCP_SERVICE,
  McpRpcMethod,
  META_PROTOCOL_VERSION,
  META_RESPONSE_ENDS_CALL,
  META_SESSION_ID,
  encodeMessage as encodeJson,
} from '../adapters/mcp/wire.js';
import { combineSignals, raceSignal } from '../util/abort.js';
import { describeError } from '../util/errors.js';
import { silentLogger } from '../util/log.js';
import type { Logger } from '../util/log.js';

/** CPU the warm-up may use (user + system, this process), checked between calls. */
export const WARM_UP_CPU_BUDGET_MS = 300;
/** Calls at most, whatever the budget. */
export const WARM_UP_MAX_CALLS = 400;
/** A single warm-up call that takes longer than this ends the warm-up (a stuck call). */
const CALL_TIMEOUT_MS = 5_000;
/** The whole warm-up, set-up included, on a machine too slow or too busy for its budget. */
export const WARM_UP_DEADLINE_MS = 15_000;
/** Each closer gets this long; whatever it leaves is garbage once the warm-up returns. */
const CLOSE_TIMEOUT_MS = 2_000;

export interface WarmUpOptions {
  readonly logger: Logger;
  readonly cpuBudgetMs?: number;
  readonly maxCalls?: number;
  /** Stops the warm-up (shutdown during start-up). */
  readonly signal?: AbortSignal;
  /** Wall-clock bound of the whole warm-up (default WARM_UP_DEADLINE_MS). */
  readonly deadlineMs?: number;
  /** What each call exercises (default: the throw-away SLIM stack below); a seam for tests. */
  readonly rig?: RigFactory;
}

/** One warm-up call on throw-away objects. */
export interface Rig {
  call(n: number): Promise<void>;
}

/** Builds a Rig, pushing a closer for everything it opens (run in reverse, even on failure). */
export type RigFactory = (closers: (() => Promise<unknown>)[]) => Promise<Rig>;

export interface WarmUpReport {
  readonly calls: number;
  readonly cpuMs: number;
  readonly wallMs: number;
  /** Why it stopped early, when it did (an error, or the signal). */
  readonly stopped?: string;
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Runs the warm-up; never rejects (a failure is logged at warn and reported in `stopped`). */
export async function warmUp(options: WarmUpOptions): Promise<WarmUpReport> {
  const budget = options.cpuBudgetMs ?? WARM_UP_CPU_BUDGET_MS;
  const maxCalls = options.maxCalls ?? WARM_UP_MAX_CALLS;
  const cpu0 = cpuNow();
  const t0 = performance.now();
  let calls = 0;
  let stopped: string | undefined;
  const closers: (() => Promise<unknown>)[] = [];
  const deadline = combineSignals([options.signal], options.deadlineMs ?? WARM_UP_DEADLINE_MS);
  try {
    const rig = await raceSignal((options.rig ?? slimRig)(closers), deadline.signal);
    while (calls < maxCalls && cpuNow() - cpu0 < budget) {
      await raceSignal(rig.call(calls), deadline.signal);
      calls++;
    }
  } catch (err) {
    stopped = options.signal?.aborted ? 'cancelled' : describeError(err);
  } finally {
    deadline.dispose();
    for (const close of closers.reverse()) await closeWithin(close, CLOSE_TIMEOUT_MS);
  }
  const report: WarmUpReport = {
    calls,
    cpuMs: Math.round(cpuNow() - cpu0),
    wallMs: Math.round(performance.now() - t0),
    ...(stopped === undefined ? {} : { stopped }),
  };
  if (stopped !== undefined && stopped !== 'cancelled')
    options.logger.warn({ ...report }, 'start-up warm-up failed (harmless: the first calls run slower)');
  else options.logger.debug({ ...report }, 'start-up warm-up done');
  return report;
}

/** Runs `close`, waiting for it at most `ms`; never rejects and leaves no timer behind. */
async function closeWithin(close: () => Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    close().catch(() => undefined),
    new Promise<void>((r) => (timer = setTimeout(r, ms))),
  ]).finally(() => clearTimeout(timer));
}

/** The throw-away node, apps, server and channel; each registers its closer as it is made. */
const slimRig: RigFactory = async (closers) => {
  const secret = randomBytes(32).toString('hex');
  const node = await SlimNode.create({ logger: silentLogger });
  closers.push(() => node.close());
  const app = async (base: string): Promise<SlimApp> => {
    const link = new WireLikeLink(node.connectInProcess());
    closers.push(() => link.close());
    await link.start();
    const identity = new SharedSecretIdentity({ baseName: base, secret });
    const a = await createSlimApp({
      name: parseName(base),
      link,
      identity,
      mls: () => createMlsClient({ identity, verifier: identity, logger: silentLogger }),
      logger: silentLogger,
    });
    closers.push(() => a.close());
    return a;
  };
  const serverName: SlimName = parseName('warm-up/local/server');
  const serverApp = await app('warm-up/local/server');
  const server = createRpcServer(serverApp, {
    logger: silentLogger,
    acceptSession: requireMls,
    services: [
      { name: MCP_SERVICE, methods: { [McpRpcMethod.Request]: { kind: 'serverStream', handler: echoTool } } },
    ],
  });
  closers.push(() => server.close(0));
  const clientApp = await app('warm-up/local/client');
  const client = createChannel(clientApp, serverName, { mls: true, logger: silentLogger });
  closers.push(() => client.close());
  return { call: (n) => oneCall(client, n) };
};

/** The server side of a `tools/call`: parse and classify the request, answer with its result. */
const echoTool: ServerStreamHandler = async function* (request, ctx) {
  if (ctx.metadata[META_RESPONSE_ENDS_CALL] === '1') ctx.omitEos();
  const parsed = parseMessage(request);
  if (!parsed.ok || parsed.value.kind !== 'request') throw new Error('warm-up: not a JSON-RPC request');
  const req = parsed.value.message;
  const text = (req.params?.['arguments'] as { text?: unknown } | undefined)?.text;
  yield encodeJson({
    jsonrpc: '2.0',
    id: req.id,
    result: { content: [{ type: 'text', text: `echo: ${String(text)}` }] },
  });
};

/** One `tools/call` as a route sends it, read up to its response as the ingress reads it. */
async function oneCall(client: RpcClient, n: number): Promise<void> {
  const request: JsonRpcRequest = {
    jsonrpc: '2.0',
    id: n,
    method: 'tools/call',
    params: { name: 'echo', arguments: { text: `warm-up ${n}` }, _meta: { progressToken: n } },
  };
  // Round trip through the text form, as a request from an HTTP client arrives.
  const incoming = classify(JSON.parse(JSON.stringify(request)));
  if (!incoming.ok) throw new Error('warm-up: request did not classify');
  let answered = false;
  for await (const chunk of client.serverStream(
    MCP_SERVICE,
    McpRpcMethod.Request,
    encodeJson(incoming.value.message),
    {
      timeoutMs: CALL_TIMEOUT_MS,
      metadata: {
        [META_SESSION_ID]: '00000000-0000-4000-8000-000000000000',
        [META_PROTOCOL_VERSION]: '2025-06-18',
        [META_RESPONSE_ENDS_CALL]: '1',
      },
    },
  )) {
    const m = parseMessage(chunk);
    if (!m.ok || m.value.kind !== 'response') throw new Error('warm-up: not a JSON-RPC response');
    answered = true;
    break; // the response ends the call, as in the ingress
  }
  if (!answered) throw new Error('warm-up: the call ended without a response');
}

/**
 * An in-process link that treats every frame as a gRPC link and the node's connection would:
 * header MAC signed, encoded, read by the node's fast path (PublishFrame), decoded, MAC verified;
 * frames delivered to the app are encoded and decoded again. What reaches the in-process node and
 * the app is the decoded copy, so the session layer sees frames shaped as they come off the wire.
 */
class WireLikeLink implements Link {
  onmessage: ((msg: Message) => void) | undefined;
  onstatechange: ((state: LinkState, error?: Error) => void) | undefined;
  private readonly mac = new HeaderMac(randomBytes(32), 'warm-up');

  constructor(private readonly inner: Link) {
    inner.onmessage = (msg) => this.onmessage?.(decodeMessage(encodeMessage(msg)));
    inner.onstatechange = (s, e) => this.onstatechange?.(s, e);
  }

  get state(): LinkState {
    return this.inner.state;
  }

  start(signal?: AbortSignal): Promise<void> {
    return this.inner.start(signal);
  }

  publish(msg: Message, signal?: AbortSignal): Promise<void> {
    const copy = decodeMessage(encodeMessage(msg));
    const header = copy.messageType.case === 'publish' ? copy.messageType.value.header : undefined;
    if (header) {
      this.mac.sign(header);
      const bytes = Buffer.from(encodeMessage(copy));
      const frame = PublishFrame.fromBytes(bytes);
      if (frame && !this.mac.verify(frame.header, frame.macBody()))
        return Promise.reject(new Error('warm-up: header MAC did not verify'));
      const back = decodeMessage(bytes);
      if (back.messageType.case === 'publish' && back.messageType.value.header)
        back.messageType.value.header.headerMac = undefined;
      return this.inner.publish(back, signal);
    }
    return this.inner.publish(copy, signal);
  }

  subscribe(name: SlimName, options: SubscribeOptions, signal?: AbortSignal): Promise<void> {
    return this.inner.subscribe(name, options, signal);
  }

  unsubscribe(name: SlimName, options: SubscribeOptions, signal?: AbortSignal): Promise<void> {
    return this.inner.unsubscribe(name, options, signal);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  closed(): Promise<void> {
    return this.inner.closed();
  }
}
