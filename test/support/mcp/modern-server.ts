// An MCP server on the 2026-07-28 revision, built with the official v2 SDK (@modelcontextprotocol/
// server: McpServer + createMcpHandler, which serves modern requests statelessly and 2025-era ones
// through its stateless fallback), on a real node:http server. Its sampling is the modern kind:
// an input_required result the client fulfils and retries (MRTR). Its `region` tool declares an
// `x-mcp-header` parameter, so the SDK rejects a call without the matching Mcp-Param-Region header.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMcpHandler, fromJsonSchema, inputRequired, McpServer } from '@modelcontextprotocol/server';
import type { CallToolResult, InputRequiredResult } from '@modelcontextprotocol/server';

export interface ModernServer {
  readonly url: string;
  /** MCP-Protocol-Version headers of the POSTs the server received (what was really spoken). */
  readonly versions: Set<string>;
  readonly stats: { cancelled: number };
  /** Mcp-Param-Region headers of the POSTs the server received, as sent. */
  readonly regionHeaders: string[];
  close(): Promise<void>;
}

const object = (properties: Record<string, { type: 'string' | 'number' }>) =>
  fromJsonSchema({ type: 'object', properties });

/** `region` is mirrored into the Mcp-Param-Region header (2026-07-28 "Schema Extension"). */
const REGION_SCHEMA = {
  type: 'object',
  properties: { region: { type: 'string', 'x-mcp-header': 'Region' } },
  required: ['region'],
};

export async function startModernServer(): Promise<ModernServer> {
  const versions = new Set<string>();
  const stats = { cancelled: 0 };
  const regionHeaders: string[] = [];
  const factory = () => {
    const server = new McpServer({ name: 'modern-test-server', version: '2.0.0' });
    server.registerTool(
      'echo',
      { description: 'Echoes text', inputSchema: object({ text: { type: 'string' } }) },
      (args) => {
        return { content: [{ type: 'text', text: String((args as { text?: string }).text) }] };
      },
    );
    server.registerTool(
      'progress',
      { description: 'Sends progress', inputSchema: object({ steps: { type: 'number' } }) },
      async (args, ctx) => {
        const steps = Number((args as { steps?: number }).steps ?? 3);
        const token = ctx.mcpReq._meta?.progressToken;
        for (let i = 1; i <= steps; i++) {
          if (token !== undefined) {
            await ctx.mcpReq.notify({
              method: 'notifications/progress',
              params: { progressToken: token, progress: i, total: steps },
            });
          }
        }
        return { content: [{ type: 'text', text: `done in ${steps} steps` }] };
      },
    );
    server.registerTool(
      'sample',
      {
        description: 'Asks the client to sample (multi round-trip)',
        inputSchema: object({ prompt: { type: 'string' } }),
      },
      (args, ctx): CallToolResult | InputRequiredResult => {
        const answer = ctx.mcpReq.inputResponses?.['llm'] as { content?: { text?: string } } | undefined;
        if (!answer) {
          return inputRequired({
            inputRequests: {
              llm: inputRequired.createMessage({
                messages: [
                  {
                    role: 'user',
                    content: { type: 'text', text: String((args as { prompt?: string }).prompt) },
                  },
                ],
                maxTokens: 10,
              }),
            },
          });
        }
        return { content: [{ type: 'text', text: `sampled: ${answer.content?.text ?? ''}` }] };
      },
    );
    server.registerTool(
      'slow',
      { description: 'Waits until cancelled', inputSchema: object({ seconds: { type: 'number' } }) },
      async (args, ctx) => {
        const token = ctx.mcpReq._meta?.progressToken;
        if (token !== undefined)
          await ctx.mcpReq.notify({
            method: 'notifications/progress',
            params: { progressToken: token, progress: 0 },
          });
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(resolve, Number((args as { seconds?: number }).seconds ?? 60) * 1000);
          ctx.mcpReq.signal.addEventListener('abort', () => {
            clearTimeout(t);
            stats.cancelled++;
            reject(new Error('cancelled'));
          });
        });
        return { content: [{ type: 'text', text: 'slow finished' }] };
      },
    );
    server.registerTool(
      'region',
      {
        description: 'Names the region, which is routed on by header',
        inputSchema: fromJsonSchema(REGION_SCHEMA as Parameters<typeof fromJsonSchema>[0]),
      },
      (args) => ({
        content: [{ type: 'text', text: `region ${String((args as { region?: string }).region)}` }],
      }),
    );
    server.registerTool(
      'big',
      { description: 'Returns N bytes', inputSchema: object({ bytes: { type: 'number' } }) },
      (args) => ({
        content: [{ type: 'text', text: 'x'.repeat(Number((args as { bytes?: number }).bytes ?? 0)) }],
      }),
    );
    server.registerResource('greeting', 'test://greeting', { mimeType: 'text/plain' }, (uri) => ({
      contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'hello, resource' }],
    }));
    server.registerPrompt(
      'greet',
      { description: 'Greets', argsSchema: object({ who: { type: 'string' } }) },
      (args) => ({
        messages: [
          {
            role: 'user',
            content: { type: 'text', text: `Say hello to ${String((args as { who?: string }).who)}` },
          },
        ],
      }),
    );
    return server;
  };
  const handler = createMcpHandler(factory);
  const http = createServer((req, res) => {
    const v = req.headers['mcp-protocol-version'];
    if (req.method === 'POST' && typeof v === 'string') versions.add(v);
    const region = req.headers['mcp-param-region'];
    if (typeof region === 'string') regionHeaders.push(region);
    void bridge(handler.fetch, req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    versions,
    stats,
    regionHeaders,
    async close() {
      await handler.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** node:http → fetch-style handler → node:http, streaming the response body. */
async function bridge(
  fetchHandler: (r: Request) => Promise<Response>,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
  const abort = new AbortController();
  res.once('close', () => abort.abort());
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
  const request = new Request(`http://127.0.0.1${req.url ?? '/'}`, {
    method: req.method ?? 'GET',
    headers,
    signal: abort.signal,
    ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}),
  });
  try {
    const response = await fetchHandler(request);
    res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
    if (!response.body) return void res.end();
    const reader = response.body.getReader();
    abort.signal.addEventListener('abort', () => void reader.cancel().catch(() => {}));
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      res.write(value);
    }
    res.end();
  } catch {
    if (!res.headersSent) res.writeHead(500);
    res.end();
  }
}
