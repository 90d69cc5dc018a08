// The SDK test MCP server (test/support/mcp/test-server.ts) on Streamable HTTP in its own process,
// for the MCP benchmark: prints {"event":"ready","url":...}; exits when stdin closes or on SIGTERM.
import { startTestHttpServer } from '../../test/support/mcp/test-server.js';

const server = await startTestHttpServer();
process.stdout.write(`${JSON.stringify({ event: 'ready', url: server.url })}\n`);
const stop = () => void server.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.stdin.once('end', stop);
process.stdin.resume();
