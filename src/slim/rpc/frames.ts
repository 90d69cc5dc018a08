// SLIMRPC framing (docs/slimrpc.md#framing, #metadata, #terminal-frames), pure: the metadata keys,
// the builders for every frame either side sends, and the classifiers that read frames back. One
// SLIMRPC frame is one SLIM application message (payload type "msg", metadata map, opaque payload).
//
// Invariants kept here, so the I/O shells cannot get them wrong:
// - every client frame carries `rpc-id` and `slimrpc-dir=req`;
// - data frames never carry `slimrpc-code` (a status marks a frame terminal,
// docs/slimrpc.md#terminal-frames);
// - a frame is terminal iff `slimrpc-code` is present and (code ≠ 0 or the payload is empty),
//   which reads both current (2.1+) peers and pre-2.1 peers (they stamp code 0 on data frames);
// - an unparsable code reads as OK, as the reference reads it.
import { StatusCode } from './status.js';

export const SERVICE_KEY = 'service';
export const METHOD_KEY = 'method';
export const RPC_ID_KEY = 'rpc-id';
export const RPC_DIR_KEY = 'slimrpc-dir';
export const RPC_DIR_REQ = 'req';
export const DEADLINE_KEY = 'slimrpc-timeout';
export const STATUS_CODE_KEY = 'slimrpc-code';
/**
 * Ours, not the reference's (docs/slimrpc.md#frame-sequences): on a call with a single response
 * (unary, client-stream), value `1`, the caller ends the call on the response's data frame and
 * discards what follows, so our server sends no EOS after it. Servers that do not know the key
 * ignore it and send the EOS.
 */
export const ENDS_ON_DATA_KEY = 'slim-gateway-ends-on-data';
export const ENDS_ON_DATA = '1';

/** The reference's default deadline when the caller gives none (MAX_TIMEOUT, 10 h). */
export const DEFAULT_TIMEOUT_MS = 36_000_000;

export type Metadata = Record<string, string>;

/** A frame to publish: payload and metadata (payload type is always the default "msg"). */
export interface OutFrame {
  readonly payload: Uint8Array;
  readonly metadata: Metadata;
}

const EMPTY = new Uint8Array(0);

/** `slimrpc-timeout` value for an absolute deadline: epoch seconds as a decimal float string. */
export function formatDeadline(deadlineEpochMs: number): string {
  return String(deadlineEpochMs / 1000);
}

/**
 * The absolute deadline (epoch ms) a server reads from merged metadata: the parsed
 * `slimrpc-timeout`, or `now + 10 h` when it is missing or unusable (the reference's fallback).
 * A negative value means "already expired" (the reference would panic on it).
 */
export function parseDeadline(metadata: Readonly<Metadata>, nowMs: number): number {
  const text = metadata[DEADLINE_KEY];
  if (text === undefined) return nowMs + DEFAULT_TIMEOUT_MS;
  const trimmed = text.trim();
  const seconds = trimmed === '' ? NaN : Number(trimmed);
  // Not a number, or one too large for a time (1e308 seconds): the fallback, never an Infinity
  // that a timer would treat as "now" (found by fuzzing).
  if (!Number.isFinite(seconds * 1000)) return nowMs + DEFAULT_TIMEOUT_MS;
  return Math.max(0, seconds * 1000);
}

/**
 * Metadata of a call's first request frame: caller metadata, then the reserved keys on top
 * (they overwrite caller keys of the same name), except that a caller-supplied
 * `slimrpc-timeout` overrides the computed one, as on the reference (docs/slimrpc.md#metadata).
 */
export function firstRequestMetadata(args: {
  service: string;
  method: string;
  rpcId: string;
  deadlineEpochMs: number;
  user?: Readonly<Metadata> | undefined;
  /** The caller ends the call on the response's data frame (ENDS_ON_DATA_KEY). */
  endsOnData?: boolean;
}): Metadata {
  const md: Metadata = { [DEADLINE_KEY]: formatDeadline(args.deadlineEpochMs) };
  if (args.user) for (const [k, v] of Object.entries(args.user)) md[k] = v;
  if (args.endsOnData) md[ENDS_ON_DATA_KEY] = ENDS_ON_DATA;
  md[SERVICE_KEY] = args.service;
  md[METHOD_KEY] = args.method;
  md[RPC_ID_KEY] = args.rpcId;
  md[RPC_DIR_KEY] = RPC_DIR_REQ;
  return md;
}

export function firstRequestFrame(
  payload: Uint8Array,
  args: Parameters<typeof firstRequestMetadata>[0],
): OutFrame {
  return { payload, metadata: firstRequestMetadata(args) };
}

/** A continuation request frame (stream-input calls): `{rpc-id, slimrpc-dir=req}` only. */
export function continuationFrame(payload: Uint8Array, rpcId: string): OutFrame {
  return { payload, metadata: { [RPC_ID_KEY]: rpcId, [RPC_DIR_KEY]: RPC_DIR_REQ } };
}

/**
 * The client EOS, sent after a request stream (the reference sends it after a single request too,
 * where every server drops it unread; we do not: docs/deviations.md, SLIMRPC). When the request
 * stream was empty it is also the first frame and carries service and method (and, unlike the
 * reference, the deadline and caller metadata too, so the server sees them: extra keys are
 * harmless to every server generation).
 */
export function clientEosFrame(rpcId: string, opening?: Metadata): OutFrame {
  const md: Metadata = { ...(opening ?? {}) };
  md[RPC_ID_KEY] = rpcId;
  md[STATUS_CODE_KEY] = '0';
  md[RPC_DIR_KEY] = RPC_DIR_REQ;
  return { payload: EMPTY, metadata: md };
}

/**
 * A client-side terminal error inside a request stream (the request iterable failed). The
 * reference server hands it to the stream handler as an error; without it the handler would wait
 * for the deadline.
 */
export function clientErrorFrame(rpcId: string, status: StatusCode, message: string): OutFrame {
  return {
    payload: new TextEncoder().encode(message),
    metadata: { [RPC_ID_KEY]: rpcId, [STATUS_CODE_KEY]: String(status), [RPC_DIR_KEY]: RPC_DIR_REQ },
  };
}

/** A response data frame: `{rpc-id}` only, never a status. */
export function responseDataFrame(payload: Uint8Array, rpcId: string): OutFrame {
  return { payload, metadata: { [RPC_ID_KEY]: rpcId } };
}

/** The server EOS after the last data frame of every successful call. */
export function responseEosFrame(rpcId: string): OutFrame {
  return { payload: EMPTY, metadata: { [RPC_ID_KEY]: rpcId, [STATUS_CODE_KEY]: '0' } };
}

/** An error frame: payload = UTF-8 message, non-zero `slimrpc-code`. Replaces the EOS. */
export function responseErrorFrame(rpcId: string, status: StatusCode, message: string): OutFrame {
  const code = status === StatusCode.OK ? StatusCode.UNKNOWN : status;
  const md: Metadata = { [STATUS_CODE_KEY]: String(code) };
  if (rpcId !== '') md[RPC_ID_KEY] = rpcId;
  return { payload: new TextEncoder().encode(message), metadata: md };
}

/** A `slimrpc-code` value read as the reference reads it: anything outside 0..16 is OK. */
export function wireCode(text: string | undefined): StatusCode {
  if (text === undefined) return StatusCode.OK;
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t)) return StatusCode.OK;
  const n = Number(t);
  return n >= 0 && n <= 16 ? (n as StatusCode) : StatusCode.OK;
}

/** What a received frame means, whichever side sent it. */
export type FrameKind =
  | { kind: 'data'; payload: Uint8Array; legacy: boolean }
  | { kind: 'end' }
  | { kind: 'error'; status: StatusCode; message: string };

/**
 * Classifies a frame by the terminal rule (docs/slimrpc.md#terminal-frames). `legacy` marks a data
 * frame that carries `slimrpc-code=0` (only pre-2.1 servers send those), which tells a client its
 * peer is pre-2.1.
 */
export function classifyFrame(metadata: Readonly<Metadata>, payload: Uint8Array): FrameKind {
  const codeText = metadata[STATUS_CODE_KEY];
  if (codeText === undefined) return { kind: 'data', payload, legacy: false };
  const code = wireCode(codeText);
  if (code !== StatusCode.OK) {
    return { kind: 'error', status: code, message: new TextDecoder().decode(payload) };
  }
  if (payload.length === 0) return { kind: 'end' };
  return { kind: 'data', payload, legacy: true };
}

export function rpcIdOf(metadata: Readonly<Metadata>): string | undefined {
  const id = metadata[RPC_ID_KEY];
  return id === undefined || id === '' ? undefined : id;
}

export function isRequestFrame(metadata: Readonly<Metadata>): boolean {
  return metadata[RPC_DIR_KEY] === RPC_DIR_REQ;
}
