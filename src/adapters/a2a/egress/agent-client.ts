// The HTTP side of the egress: a local A2A agent reached over JSON-RPC (docs/a2a-over-slim.md §3).
// Its card (at `<url>/.well-known/agent-card.json`, else the legacy `agent.json`) tells which
// A2A versions its JSON-RPC endpoint speaks; it is cached briefly and re-read after a failure.
// Calls carry the `A2A-Version` header of the version used (the A2A SDK server reads a missing
// header as 0.3). SSE answers are parsed incrementally and yielded event by event, never
// buffered. An agent that cannot be reached is UNAVAILABLE with its URL in the message.
// Requests go through `httpSend` (node:http), not `fetch`: a relayed call is one small POST, and
// fetch's Request/Headers/Response objects and web streams cost more CPU than the rest of it.
// Header names are sent lower-cased, so a configured header and a call's own never both go out.
import type { IncomingMessage } from 'node:http';
import { fromJson } from '@bufbuild/protobuf';
import { combineSignals, raceSignal } from '../../../util/abort.js';
import { GatewayError } from '../../../util/errors.js';
import { httpSend } from '../../../util/http-client.js';
import type { HttpClientRequest, HttpClientResponse } from '../../../util/http-client.js';
import type { Logger } from '../../../util/log.js';
import * as v1 from '../gen/a2a/v1_0/a2a_pb.js';
import { cardToV1, majorMinor } from '../transcode/card.js';
import { A2aError, fromJsonRpcError } from '../errors.js';
import { challengeStatus, upstreamUnauthorized } from '../../upstream-challenge.js';
import { isObj } from '../json.js';
import type { A2aVersion } from '../methods/table.js';
import { DEFAULT_MAX_SSE_EVENT_BYTES, SseParser } from '../sse.js';
import { cardFromJson } from '../v03-json/card.js';

const CARD_TIMEOUT_MS = 10_000;

export interface AgentInfo {
  /** JSON-RPC versions the agent's card declares, among those we speak. */
  readonly versions: ReadonlySet<A2aVersion>;
  /** The agent's public card, as a v1.0 message. */
  readonly card: v1.AgentCard;
}

export interface AgentClientOptions {
  /** The agent's JSON-RPC endpoint (also the base of its card URL unless `cardUrl` is given). */
  readonly url: string;
  readonly cardUrl?: string;
  readonly logger: Logger;
  readonly cardTtlMs?: number;
  /** Headers added to every request to the agent (a call's own headers win). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Reads an agent card JSON of either version; returns it as v1.0 plus the JSON-RPC versions. */
export function readAgentCard(json: unknown): AgentInfo {
  if (!isObj(json)) throw new A2aError('InvalidAgentResponseError', 'the agent card is not a JSON object');
  const v1Shaped = Array.isArray(json['supportedInterfaces']) && json['supportedInterfaces'].length > 0;
  let card: v1.AgentCard;
  try {
    card = v1Shaped
      ? fromJson(v1.AgentCardSchema, json as never, { ignoreUnknownFields: true })
      : cardToV1(cardFromJson(json));
  } catch (err) {
    throw new A2aError('InvalidAgentResponseError', `unreadable agent card: ${(err as Error).message}`);
  }
  const versions = new Set<A2aVersion>();
  for (const i of card.supportedInterfaces) {
    if (i.protocolBinding.toUpperCase() !== 'JSONRPC') continue;
    const v = majorMinor(i.protocolVersion) || (v1Shaped ? '1.0' : '0.3');
    if (v === '1.0' || v.startsWith('1.')) versions.add('1.0');
    else if (v === '0.3' || v.startsWith('0.')) versions.add('0.3');
  }
  return { versions, card };
}

export class A2aAgentClient {
  private readonly endpoint: URL;
  private readonly fixedHeaders: Record<string, string>;
  private readonly cardUrls: URL[];
  private cached: { info: AgentInfo; expires: number } | undefined;
  private loading: Promise<AgentInfo> | undefined;
  private nextId = 1;
  private readonly closing = new AbortController();

  constructor(private readonly options: AgentClientOptions) {
    this.endpoint = new URL(options.url);
    this.fixedHeaders = lowerCased({}, options.headers ?? {});
    const base = options.url.endsWith('/') ? options.url : `${options.url}/`;
    this.cardUrls = options.cardUrl
      ? [new URL(options.cardUrl)]
      : [new URL('.well-known/agent-card.json', base), new URL('.well-known/agent.json', base)];
  }

  get url(): string {
    return this.options.url;
  }

  /**
   * The agent's card and versions (cached; a failure is not cached). Concurrent callers share one
   * fetch, bounded by its own deadline, so one caller giving up does not fail the others.
   */
  info(signal: AbortSignal): Promise<AgentInfo> {
    if (this.cached && this.cached.expires > Date.now()) return Promise.resolve(this.cached.info);
    if (!this.loading) {
      const bound = combineSignals([this.closing.signal], CARD_TIMEOUT_MS);
      this.loading = this.loadCard(bound.signal).finally(() => {
        bound.dispose();
        this.loading = undefined;
      });
    }
    return raceSignal(this.loading, signal);
  }

  close(): void {
    this.closing.abort(new GatewayError('CLOSED', 'the A2A service is closing'));
  }

  private async loadCard(signal: AbortSignal): Promise<AgentInfo> {
    let lastStatus = 0;
    for (const url of this.cardUrls) {
      const res = await this.send(url, {
        method: 'GET',
        headers: lowerCased({ ...this.fixedHeaders }, { 'A2A-Version': '1.0', accept: 'application/json' }),
        signal,
      });
      if (!res.ok) {
        lastStatus = res.status;
        res.cancel();
        continue;
      }
      const text = await readText(res.raw, signal);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new A2aError('InvalidAgentResponseError', `the agent card at ${url} is not valid JSON`);
      }
      const info = readAgentCard(json);
      if (info.versions.size === 0)
        throw new A2aError(
          'UnsupportedOperationError',
          `the A2A agent at ${this.url} declares no JSON-RPC interface`,
        );
      this.cached = { info, expires: Date.now() + (this.options.cardTtlMs ?? 30_000) };
      this.options.logger.debug({ versions: [...info.versions] }, 'agent card read');
      return info;
    }
    throw new GatewayError(
      'UNAVAILABLE',
      `the A2A agent at ${this.url} serves no agent card (HTTP ${lastStatus})`,
    );
  }

  /** A unary JSON-RPC call; resolves with `result`, throws A2aError for a JSON-RPC error. */
  async call(
    version: A2aVersion,
    method: string,
    params: unknown,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<unknown> {
    const res = await this.post(method, params, headers, 'application/json', version, signal);
    return envelopeResult(await readJson(res, signal));
  }

  /** A streaming JSON-RPC call; yields each event's `result` as it arrives. */
  async *stream(
    version: A2aVersion,
    method: string,
    params: unknown,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): AsyncGenerator<unknown> {
    const res = await this.post(method, params, headers, 'text/event-stream', version, signal);
    if (!(res.header('content-type') ?? '').startsWith('text/event-stream')) {
      yield envelopeResult(await readJson(res, signal));
      return;
    }
    const parser = new SseParser();
    const decoder = new TextDecoder();
    let ended = false;
    try {
      for await (const chunk of res.chunks()) {
        for (const e of parser.push(decoder.decode(chunk, { stream: true })))
          yield envelopeResult(parseEventData(e.data));
      }
      ended = true;
      for (const e of [...parser.push(decoder.decode()), ...parser.end()])
        yield envelopeResult(parseEventData(e.data));
    } finally {
      // Left early (the caller stopped, or an error): the agent must see the stream go away.
      if (!ended && !res.raw.readableEnded) res.raw.destroy();
      res.cancel();
    }
  }

  private async post(
    method: string,
    params: unknown,
    headers: Record<string, string>,
    accept: string,
    version: A2aVersion,
    signal: AbortSignal,
  ): Promise<HttpClientResponse> {
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: this.nextId++,
      method,
      ...(params === undefined ? {} : { params }),
    });
    const all = lowerCased(lowerCased({ ...this.fixedHeaders }, headers), {
      'a2a-version': version,
      'content-type': 'application/json',
      accept,
    });
    const res = await this.send(this.endpoint, { method: 'POST', headers: all, body, signal });
    // The agent asks its caller to authenticate (A2A: HTTP 401 with WWW-Authenticate): the
    // challenge goes back to the route, which answers its client the same way.
    const wwwAuthenticate = res.header('www-authenticate');
    const challenged = challengeStatus(res.status, wwwAuthenticate);
    if (challenged !== undefined) {
      res.cancel();
      this.options.logger.debug(
        { status: challenged },
        'the agent asks for authorization: relayed to the caller',
      );
      throw upstreamUnauthorized({ httpStatus: challenged, wwwAuthenticate: wwwAuthenticate ?? 'Bearer' });
    }
    if (!res.ok && !(res.header('content-type') ?? '').includes('json')) {
      res.cancel();
      throw new A2aError('InternalError', `the A2A agent at ${this.url} answered HTTP ${res.status}`);
    }
    return res;
  }

  private async send(url: URL, init: HttpClientRequest): Promise<HttpClientResponse> {
    try {
      return await httpSend(url, init);
    } catch (err) {
      if (init.signal?.aborted) throw err;
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as { code?: string }).code ?? (err as Error).message;
      throw new GatewayError('UNAVAILABLE', `the A2A agent at ${this.url} is unreachable (${why})`, {
        cause: err,
      });
    }
  }
}

/** Adds `from` to `to` with lower-cased names (a later value wins); returns `to`. */
function lowerCased(
  to: Record<string, string>,
  from: Readonly<Record<string, string>>,
): Record<string, string> {
  for (const k in from) to[k.toLowerCase()] = from[k]!;
  return to;
}

/**
 * Largest JSON answer (card or unary reply) read from an agent. Nothing larger could be relayed in
 * one SLIM message anyway; the bound keeps a faulty agent from filling the gateway's memory.
 */
export const MAX_AGENT_ANSWER_BYTES = DEFAULT_MAX_SSE_EVENT_BYTES;

/** The whole body as text; rejects if the response is cut short (an abort, a reset) or too large. */
function readText(res: IncomingMessage, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (err: unknown) => reject(signal.aborted ? signal.reason : err);
    res.on('data', (c: Buffer) => {
      size += c.byteLength;
      if (size <= MAX_AGENT_ANSWER_BYTES) {
        chunks.push(c);
        return;
      }
      chunks.length = 0;
      fail(
        new A2aError(
          'InvalidAgentResponseError',
          `the agent's answer exceeds ${MAX_AGENT_ANSWER_BYTES} bytes`,
        ),
      );
      res.destroy();
    });
    res.once('end', () =>
      resolve(chunks.length === 1 ? chunks[0]!.toString() : Buffer.concat(chunks).toString()),
    );
    res.on('error', fail);
    res.once('close', () => {
      if (!res.complete) fail(new Error('the agent closed the connection before the end of its answer'));
    });
  });
}

async function readJson(res: HttpClientResponse, signal: AbortSignal): Promise<unknown> {
  const text = await readText(res.raw, signal);
  try {
    return JSON.parse(text);
  } catch {
    throw new A2aError(
      'InvalidAgentResponseError',
      `the agent answered HTTP ${res.status} with a body that is not JSON`,
    );
  }
}

function parseEventData(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    throw new A2aError('InvalidAgentResponseError', 'the agent sent an SSE event that is not JSON');
  }
}

/** The `result` of a JSON-RPC response, or its error as an A2aError. */
function envelopeResult(envelope: unknown): unknown {
  if (!isObj(envelope))
    throw new A2aError(
      'InvalidAgentResponseError',
      'the agent answered something other than a JSON-RPC response',
    );
  if ('error' in envelope && envelope['error'] !== undefined && envelope['error'] !== null)
    throw fromJsonRpcError(envelope['error']);
  if (!('result' in envelope))
    throw new A2aError('InvalidAgentResponseError', 'the JSON-RPC response has no result');
  return envelope['result'];
}
