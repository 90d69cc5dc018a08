// The gateway's own endpoints (DESIGN.md, Local endpoints): GET /healthz (the process is up),
// GET /readyz (200 when ready, 503 with the reasons otherwise; always 503 while shutting down) and
// GET /metrics (Prometheus text format 0.0.4 from the shared registry).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../util/http.js';
import type { MetricsRegistry } from '../util/metrics.js';
import { errorJson } from './helpers.js';

export interface Readiness {
  readonly ready: boolean;
  /** Why not, one short sentence each (empty when ready). */
  readonly reasons: readonly string[];
}

export const PROBES: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

export async function serveProbe(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  ctx: { readonly readiness: () => Readiness; readonly metrics: MetricsRegistry; readonly draining: boolean },
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return sendJson(res, 405, errorJson('METHOD_NOT_ALLOWED', `${pathname} answers GET`), {
      allow: 'GET, HEAD',
    });
  }
  req.resume();
  if (pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
  if (pathname === '/readyz') {
    const r = ctx.draining ? { ready: false, reasons: ['the gateway is shutting down'] } : ctx.readiness();
    return sendJson(
      res,
      r.ready ? 200 : 503,
      r.ready ? { status: 'ready' } : { status: 'not ready', reasons: r.reasons },
    );
  }
  const text = await ctx.metrics.render();
  res.writeHead(200, {
    'content-type': 'text/plain; version=0.0.4; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}
