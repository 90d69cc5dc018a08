// What the local A2A endpoint checks before it parses a JSON-RPC call (docs/security.md, "Input
// rules"; the same rules as the MCP route): Content-Type application/json (or the A2A media type
// application/a2a+json), an Accept, if sent, naming JSON or SSE, the body within its limit, its
// bytes UTF-8. A failed check is answered here with an A2A JSON-RPC error.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError } from '../../../util/errors.js';
import { readBody, sendJson } from '../../../util/http.js';
import { acceptsMedia, contentTypeProblem, decodeUtf8 } from '../../../util/http-input.js';
import { A2aError } from '../errors.js';
import { errorResponse } from '../jsonrpc.js';

const BODY_TYPES = ['application/json', 'application/a2a+json'];
const ANSWER_TYPES = ['application/json', 'text/event-stream', 'application/a2a+json'];

function one(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** The request body as text, or undefined after answering why it cannot be read. */
export async function readA2aBody(
  req: IncomingMessage,
  res: ServerResponse,
  maxBodyBytes: number,
): Promise<string | undefined> {
  const refuse = (status: number, error: A2aError) => {
    req.resume();
    sendJson(res, status, errorResponse(null, error, '1.0'));
    return undefined;
  };
  const wrongType = contentTypeProblem(one(req, 'content-type'), BODY_TYPES);
  if (wrongType) return refuse(415, new A2aError('InvalidRequestError', wrongType));
  const accept = one(req, 'accept');
  if (accept !== undefined && !ANSWER_TYPES.some((m) => acceptsMedia(accept, m))) {
    const message = `Not Acceptable: Accept must allow ${ANSWER_TYPES.join(' or ')}`;
    return refuse(406, new A2aError('InvalidRequestError', message));
  }
  let bytes: Buffer;
  try {
    bytes = await readBody(req, maxBodyBytes);
  } catch (err) {
    const tooBig = err instanceof GatewayError && err.code === 'RESOURCE_EXHAUSTED';
    return refuse(tooBig ? 413 : 400, new A2aError('InvalidRequestError', (err as Error).message));
  }
  const text = decodeUtf8(bytes);
  // As invalid JSON is answered (JSON-RPC errors travel with HTTP 200 on this route).
  if (text === undefined)
    return refuse(200, new A2aError('JSONParseError', 'invalid JSON: the body is not UTF-8'));
  return text;
}
