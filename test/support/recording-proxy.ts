// A transparent HTTP proxy that records the headers of every request it forwards: put in front of
// an MCP server or an A2A agent, it shows what the serving gateway sent upstream (trace context,
// Authorization) without changing either side. With `requireAuthorization` it also plays an agent
// or server that wants a token: a POST without exactly that Authorization header is answered 401
// with `WWW-Authenticate: Bearer realm="test"` and goes no further.
import { createServer, request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}

export interface RecordingProxy {
  /** The proxy's base URL (same path layout as the target). */
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export const TEST_CHALLENGE = 'Bearer realm="test"';

export async function startRecordingProxy(
  target: string,
  options: { requireAuthorization?: string } = {},
): Promise<RecordingProxy> {
  const to = new URL(target);
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: { ...req.headers } });
    const wanted = options.requireAuthorization;
    if (wanted !== undefined && req.method === 'POST' && req.headers.authorization !== wanted) {
      req.resume();
      res.writeHead(401, { 'www-authenticate': TEST_CHALLENGE, 'content-type': 'text/plain' });
      res.end('unauthorized');
      return;
    }
    const upstream = request(
      {
        host: to.hostname,
        port: to.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: to.host },
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
