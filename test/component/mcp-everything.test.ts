// Component: the official MCP SDK client (v1, Streamable HTTP) → our ingress on a real HTTP server
// → in-memory SLIMRPC → our egress → @modelcontextprotocol/server-everything spawned over stdio.
// The scenario is shared with the run over real SLIM (test/support/mcp/scenarios/everything.ts).
import { startGateway } from '../support/mcp/gateway.js';
import { everythingScenario } from '../support/mcp/scenarios/everything.js';

everythingScenario((backend) => startGateway(backend), 'the gateway pair (in-memory SLIMRPC)');
