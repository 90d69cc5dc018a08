// The answers of the access checks (access.ts) at the edge, in the order a request meets them:
// Host, then Origin (with the CORS headers for an allowed one, and the preflight answered here),
// then, after the health probes, the bearer token. Each returns true when the request may go on,
// false when it has been answered (403, 204 preflight, 401 with WWW-Authenticate).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../util/http.js';
import {
  CORS_EXPOSE,
  CORS_METHODS,
  checkBearer,
  hostAllowed,
  originAllowed,
  wwwAuthenticate,
} from './access.js';
import type { AccessPolicy } from './access.js';
import { errorJson } from './helpers.js';

/** Host and Origin checks, CORS headers, the preflight. */
export function admitOrigin(
  req: IncomingMessage,
  res: ServerResponse,
  policy: AccessPolicy,
  method: string,
): boolean {
  if (!hostAllowed(req.headers.host, policy)) {
    const message = `host "${req.headers.host}" is not allowed (see http.allowedHosts)`;
    sendJson(res, 403, errorJson('FORBIDDEN', message));
    return false;
  }
  const origin = req.headers.origin;
  if (!originAllowed(origin, policy)) {
    sendJson(res, 403, errorJson('FORBIDDEN', `origin ${origin} is not allowed (see http.allowedOrigins)`));
    return false;
  }
  if (origin === undefined) return true;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('access-control-expose-headers', CORS_EXPOSE);
  res.setHeader('vary', 'Origin');
  if (method !== 'OPTIONS') return true;
  res.writeHead(204, {
    'access-control-allow-methods': CORS_METHODS,
    'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
    'access-control-max-age': '600',
  });
  res.end();
  return false;
}

/** The bearer token check (http.bearerTokens). */
export function admitBearer(req: IncomingMessage, res: ServerResponse, policy: AccessPolicy): boolean {
  const bearer = checkBearer(req.headers.authorization, policy.bearerTokens);
  if (bearer === 'ok') {
    // The header held the gateway's own token: no route may pass it on (forwardAuthorization).
    if (policy.bearerTokens.length > 0) delete req.headers.authorization;
    return true;
  }
  sendJson(res, 401, errorJson('UNAUTHENTICATED', 'a valid Authorization: Bearer token is required'), {
    'www-authenticate': wwwAuthenticate(bearer),
  });
  return false;
}
