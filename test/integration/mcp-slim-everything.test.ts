// End to end over real SLIM: the official MCP SDK client (v1) → client-side gateway (route) → our
// SLIM node (gRPC link, MLS on) → server-side gateway (service) → @modelcontextprotocol/server-
// everything spawned over stdio. The same scenario as over in-memory SLIMRPC
// (test/support/mcp/scenarios/everything.ts), with the production wiring in between.
import { everythingScenario } from '../support/mcp/scenarios/everything.js';
import { startSlimPair } from '../support/mcp/slim-pair.js';

everythingScenario((backend) => startSlimPair(backend), 'two gateways over our SLIM node (MLS)');
