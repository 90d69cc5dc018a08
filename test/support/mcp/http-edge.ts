// A minimal stand-in for the gateway's HTTP edge in MCP tests: a real node:http server on
// 127.0.0.1:0 that mounts HttpHandlers at route paths (exactly the seam of src/util/http.ts), answers
// 404 for anything else, and gives each handler a signal that fires when its client goes away.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpHandler } from '../../../src/util/http.js';

export interface TestEdge {
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  close(): Promise<void>;
}

export async function startEdge(routes: Record<string, HttpHandler>): Promise<TestEdge> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const mount = Object.keys(routes).find((r) => path === r || path.startsWith(r + '/'));
    if (!mount) {
      req.resume();
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such route');
      return;
    }
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    const addr = server.address() as AddressInfo;
    routes[mount]!(req, res, {
      subpath: path.slice(mount.length),
      baseUrl: `http://127.0.0.1:${addr.port}${mount}`,
      signal: gone.signal,
    }).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(err));
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
