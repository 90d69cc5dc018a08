// An example MCP client (the official v2 SDK, @modelcontextprotocol/client) for trying a local
// slim-gateway route: without a tool name it lists the tools; with one it calls it, printing
// progress notifications as they arrive and then the result's text. The server behind the route
// may be anywhere on SLIM; the client neither knows nor cares.
//
// Run: node dist/examples/clients/mcp-call.js [URL] [TOOL] [JSON_ARGUMENTS]
//      node dist/examples/clients/mcp-call.js http://127.0.0.1:8080/mcp/weather get_forecast '{"city":"Lisbon"}'
// MCP_BEARER_TOKEN, when set, is sent as `Authorization: Bearer ...` (a gateway with http.bearerTokens).
import { pathToFileURL } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

export async function mcpCall(
  url: string,
  tool?: string,
  args: Record<string, unknown> = {},
  token?: string,
): Promise<string> {
  const client = new Client({ name: 'mcp-call', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  const requestInit = token ? { headers: { authorization: `Bearer ${token}` } } : undefined;
  await client.connect(new StreamableHTTPClientTransport(new URL(url), requestInit ? { requestInit } : {}));
  try {
    if (!tool) {
      const { tools } = await client.listTools();
      return tools.map((t) => `${t.name}: ${t.description ?? ''}`).join('\n');
    }
    const result = await client.callTool(
      { name: tool, arguments: args },
      { onprogress: (p) => console.error(`progress ${p.progress}${p.total ? `/${p.total}` : ''}`) },
    );
    const text = (result.content as { type: string; text?: string }[])
      .map((c) => (c.type === 'text' ? c.text : `[${c.type}]`))
      .join('\n');
    return result.isError ? `error: ${text}` : text;
  } finally {
    await client.close();
  }
}

async function main(): Promise<void> {
  const [url = 'http://127.0.0.1:8080/mcp/weather', tool, json] = process.argv.slice(2);
  const args = json ? (JSON.parse(json) as Record<string, unknown>) : {};
  console.log(await mcpCall(url, tool, args, process.env['MCP_BEARER_TOKEN'] || undefined));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
