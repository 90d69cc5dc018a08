// A small MCP server for the adapter's tests, built on the official v1 SDK's low-level Server (a
// real peer, not ours): tools that echo, stream progress, log, ask the client for sampling, wait
// until cancelled (counting cancellations it saw), and return results of a chosen size; a
// resource and a prompt. Served over stdio (test/fixtures/mcp/stdio-server.ts) or Streamable HTTP
// (startTestHttpServer, one SDK transport per session).
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  CreateMessageResultSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';

export interface TestServerStats {
  cancelled: number;
  sessions: number;
  /** Offer a `crash` tool that ends the process (stdio fixture only). */
  crashable?: boolean;
}

const TOOLS = [
  {
    name: 'echo',
    description: 'Echoes text',
    inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
  },
  {
    name: 'progress',
    description: 'Sends progress',
    inputSchema: { type: 'object', properties: { steps: { type: 'number' } } },
  },
  { name: 'log', description: 'Logs, then answers', inputSchema: { type: 'object', properties: {} } },
  {
    name: 'sample',
    description: 'Asks the client to sample',
    inputSchema: { type: 'object', properties: { prompt: { type: 'string' } } },
  },
  {
    name: 'slow',
    description: 'Waits until cancelled',
    inputSchema: { type: 'object', properties: { seconds: { type: 'number' } } },
  },
  {
    name: 'big',
    description: 'Returns N bytes of text',
    inputSchema: { type: 'object', properties: { bytes: { type: 'number' } } },
  },
  { name: 'stats', description: 'What the server saw', inputSchema: { type: 'object', properties: {} } },
] as const;

const text = (t: string) => ({ content: [{ type: 'text' as const, text: t }] });

export function buildTestServer(stats: TestServerStats): Server {
  stats.sessions++;
  const server = new Server(
    { name: 'slim-gateway-test-server', version: '1.0.0' },
    { capabilities: { tools: {}, resources: {}, prompts: {}, logging: {} } },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [...TOOLS] }));
  server.setRequestHandler(CallToolRequestSchema, async (req, extra) => {
    const args = (req.params.arguments ?? {}) as Record<string, unknown>;
    switch (req.params.name) {
      case 'echo':
        return text(String(args['text'] ?? ''));
      case 'progress': {
        const steps = Number(args['steps'] ?? 3);
        const token = req.params._meta?.progressToken;
        for (let i = 1; i <= steps; i++) {
          if (token !== undefined) {
            await extra.sendNotification({
              method: 'notifications/progress',
              params: { progressToken: token, progress: i, total: steps },
            });
          }
        }
        return text(`done in ${steps} steps`);
      }
      case 'log':
        await extra.sendNotification({
          method: 'notifications/message',
          params: { level: 'info', data: 'hello from the server' },
        });
        return text('logged');
      case 'sample': {
        const result = await extra.sendRequest(
          {
            method: 'sampling/createMessage',
            params: {
              messages: [{ role: 'user', content: { type: 'text', text: String(args['prompt']) } }],
              maxTokens: 10,
            },
          },
          CreateMessageResultSchema,
        );
        const c = result.content as { type: string; text?: string };
        return text(`sampled: ${c.text ?? ''}`);
      }
      case 'slow': {
        const token = req.params._meta?.progressToken;
        if (token !== undefined) {
          await extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken: token, progress: 0 },
          });
        }
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(resolve, Number(args['seconds'] ?? 60) * 1000);
          extra.signal.addEventListener('abort', () => {
            clearTimeout(t);
            stats.cancelled++;
            reject(new Error('cancelled'));
          });
        });
        return text('slow finished');
      }
      case 'big':
        return text('x'.repeat(Number(args['bytes'] ?? 0)));
      case 'stats':
        return text(JSON.stringify({ ...stats, pid: process.pid }));
      case 'request-id':
        return text(JSON.stringify(extra.requestId));
      case 'crash':
        if (stats.crashable) process.exit(3);
        throw new McpError(ErrorCode.InvalidParams, 'this server does not crash');
      default:
        throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${req.params.name}`);
    }
  });
  server.setRequestHandler(ListResourcesRequestSchema, () => ({
    resources: [{ uri: 'test://greeting', name: 'greeting', mimeType: 'text/plain' }],
  }));
  server.setRequestHandler(ReadResourceRequestSchema, (req) => {
    if (req.params.uri !== 'test://greeting') throw new McpError(ErrorCode.InvalidParams, 'no such resource');
    return { contents: [{ uri: req.params.uri, mimeType: 'text/plain', text: 'hello, resource' }] };
  });
  server.setRequestHandler(ListPromptsRequestSchema, () => ({
    prompts: [{ name: 'greet', arguments: [{ name: 'who', required: true }] }],
  }));
  server.setRequestHandler(GetPromptRequestSchema, (req) => ({
    messages: [
      {
        role: 'user',
        content: { type: 'text', text: `Say hello to ${req.params.arguments?.['who'] ?? '?'}` },
      },
    ],
  }));
  return server;
}

export interface TestHttpServer {
  readonly url: string;
  readonly stats: TestServerStats;
  close(): Promise<void>;
}

/** The test server over the SDK's Streamable HTTP transport, one transport per MCP session. */
export async function startTestHttpServer(): Promise<TestHttpServer> {
  const stats: TestServerStats = { cancelled: 0, sessions: 0 };
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const http = createServer((req, res) => {
    void (async () => {
      const sid = req.headers['mcp-session-id'];
      let transport = typeof sid === 'string' ? transports.get(sid) : undefined;
      if (!transport) {
        if (typeof sid === 'string') {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              jsonrpc: '2.0',
              id: null,
              error: { code: -32001, message: 'Session not found' },
            }),
          );
          return;
        }
        const t: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id) => void transports.set(id, t),
        });
        t.onclose = () => {
          if (t.sessionId) transports.delete(t.sessionId);
        };
        await buildTestServer(stats).connect(t);
        transport = t;
      }
      await transport.handleRequest(req, res);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    stats,
    async close() {
      for (const t of transports.values()) await t.close().catch(() => {});
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
