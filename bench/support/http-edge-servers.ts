// The HTTP edge benchmark's servers, in one process of their own so their CPU can be read apart
// from the load generator's: our HttpEdge (node:http, with its access checks, request ids and
// metrics) with one route, the same route on express 5, and on bare node:http (the floor). Every
// route reads the small JSON body and answers a small JSON object with the same helpers. Prints
// {"event":"ready","edge":...,"express":...,"bare":...}; exits when stdin closes.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { HttpEdge } from '../../src/http/edge.js';
import { readBody, sendJson } from '../../src/util/http.js';
import type { HttpHandler } from '../../src/util/http.js';
import { silentLogger } from '../../src/util/log.js';
import { MetricsRegistry } from '../../src/util/metrics.js';

const answer: HttpHandler = async (req, res) => {
  const body = await readBody(req, 64 * 1024);
  sendJson(res, 200, { ok: true, bytes: body.length });
};

const edge = new HttpEdge({
  listen: { host: '127.0.0.1', port: 0 },
  access: { bearerTokens: [], allowedOrigins: [], allowedHosts: [] },
  maxBodyBytes: 64 * 1024,
  trustForwardedHeaders: true,
  keepAliveTimeoutMs: 65_000,
  headersTimeoutMs: 66_000,
  requestTimeoutMs: 300_000,
  readiness: () => ({ ready: true, reasons: [] }),
  metrics: new MetricsRegistry(),
  logger: silentLogger,
});
edge.mount('/mcp/x', answer);
await edge.start();

const app = express();
app.post('/mcp/x', (req, res, next) => {
  answer(req, res, { subpath: '', baseUrl: '', signal: new AbortController().signal }).catch(next);
});

const listen = async (server: ReturnType<typeof createServer>) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};
const onExpress = await listen(createServer(app));
const bare = await listen(
  createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/mcp/x')
      void answer(req, res, { subpath: '', baseUrl: '', signal: new AbortController().signal });
    else res.writeHead(404).end();
  }),
);
process.stdout.write(`${JSON.stringify({ event: 'ready', edge: edge.url, express: onExpress, bare })}\n`);
process.stdin.once('end', () => process.exit(0));
process.stdin.resume();
