// A minimal stand-in for the HTTP edge in A2A tests: a real node:http server on 127.0.0.1:0 that
// mounts HttpHandlers under route paths and fills HttpRequestContext as the edge contract says
// (subpath below the mount, external base URL honouring X-Forwarded-Proto/Host/Prefix, a signal
// that fires when the client goes away).
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpHandler } from '../../src/util/http.js';

export interface TestEdge {
  readonly origin: string;
  url(route: string): string;
  close(): Promise<void>;
}

export async function startEdge(routes: Record<string, HttpHandler>): Promise<TestEdge> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const mount = Object.keys(routes).find((r) => path === r || path.startsWith(`${r}/`));
    if (!mount) {
      res.writeHead(404).end();
      return;
    }
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.split(',')[0]?.trim();
    const proto = first(req.headers['x-forwarded-proto']) ?? 'http';
    const host = first(req.headers['x-forwarded-host']) ?? req.headers.host ?? 'localhost';
    const prefix = (first(req.headers['x-forwarded-prefix']) ?? '').replace(/\/+$/, '');
    const ctx = {
      subpath: path.slice(mount.length),
      baseUrl: `${proto}://${host}${prefix}${mount}`,
      signal: abort.signal,
    };
    routes[mount]!(req, res, ctx).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (route) => `${origin}${route}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
