// JSON-RPC 2.0 envelopes for the local A2A endpoint: parsing a request body into a call (or the
// JSON-RPC error that answers it), and building responses. Pure functions; the HTTP side is in
// ingress/http.ts. Batches are not part of A2A and are refused with -32600.
import { A2aError, toJsonRpcError } from './errors.js';
import type { JsonRpcErrorObject } from './errors.js';
import { isObj } from './json.js';
import { opForJsonRpc } from './methods/table.js';
import type { A2aVersion, Op } from './methods/table.js';

export type JsonRpcId = string | number | null;

export interface JsonRpcCall {
  readonly id: JsonRpcId;
  readonly method: string;
  readonly params: unknown;
  readonly op: Op;
  /** The A2A version the method name belongs to (it decides the JSON shapes). */
  readonly version: A2aVersion;
}

export type ParsedRequest =
  | { readonly ok: true; readonly call: JsonRpcCall }
  | { readonly ok: false; readonly id: JsonRpcId; readonly error: A2aError; readonly version: A2aVersion };

/** Reads a request body; never throws (every problem becomes the JSON-RPC error to answer). */
export function parseRequest(body: string): ParsedRequest {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    return fail(null, new A2aError('JSONParseError', `invalid JSON: ${(err as Error).message}`));
  }
  if (Array.isArray(value))
    return fail(null, new A2aError('InvalidRequestError', 'batch requests are not supported'));
  if (!isObj(value))
    return fail(null, new A2aError('InvalidRequestError', 'the request must be a JSON object'));
  const rawId = value['id'];
  const idOk = rawId === undefined || rawId === null || typeof rawId === 'string' || Number.isInteger(rawId);
  const id: JsonRpcId = idOk && rawId !== undefined ? (rawId as JsonRpcId) : null;
  if (!idOk)
    return fail(null, new A2aError('InvalidRequestError', '"id" must be a string, an integer or null'));
  if (value['jsonrpc'] !== '2.0')
    return fail(id, new A2aError('InvalidRequestError', '"jsonrpc" must be "2.0"'));
  const method = value['method'];
  if (typeof method !== 'string' || method === '')
    return fail(id, new A2aError('InvalidRequestError', '"method" must be a non-empty string'));
  const found = opForJsonRpc(method);
  if (!found)
    return fail(
      id,
      new A2aError('MethodNotFoundError', `Method not found: ${method}`),
      versionOfName(method),
    );
  const params = value['params'];
  if (params !== undefined && params !== null && !isObj(params))
    return fail(id, new A2aError('InvalidParamsError', '"params" must be an object'), found.version);
  return { ok: true, call: { id, method, params, op: found.op, version: found.version } };
}

/** v0.3 method names contain a slash; v1.0 ones are PascalCase. */
function versionOfName(method: string): A2aVersion {
  return method.includes('/') ? '0.3' : '1.0';
}

function fail(id: JsonRpcId, error: A2aError, version: A2aVersion = '1.0'): ParsedRequest {
  return { ok: false, id, error, version };
}

export function resultResponse(id: JsonRpcId, result: unknown): object {
  return { jsonrpc: '2.0', id, result };
}

export function errorResponse(id: JsonRpcId, err: unknown, version: A2aVersion): object {
  const error: JsonRpcErrorObject = toJsonRpcError(err, version);
  return { jsonrpc: '2.0', id, error };
}
