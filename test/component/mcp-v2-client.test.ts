// Component: the v2 SDK client (2026-07-28 and negotiation down) through the gateway pair over
// in-memory SLIMRPC. The scenario is shared with the run over real SLIM
// (test/support/mcp/scenarios/v2-client.ts).
import { startGateway } from '../support/mcp/gateway.js';
import { v2ClientScenario } from '../support/mcp/scenarios/v2-client.js';

v2ClientScenario((backend) => startGateway(backend), 'the gateway pair (in-memory SLIMRPC)');
