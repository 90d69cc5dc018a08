// Component: the v1 SDK client → our ingress (HTTP) → in-memory SLIMRPC → our egress → an MCP server
// on Streamable HTTP (and the same server over stdio). The scenario is shared with the run over real
// SLIM (test/support/mcp/scenarios/full-duplex.ts).
import { startGateway } from '../support/mcp/gateway.js';
import { fullDuplexScenario } from '../support/mcp/scenarios/full-duplex.js';

fullDuplexScenario((backend) => startGateway(backend), 'the gateway pair (in-memory SLIMRPC)');
