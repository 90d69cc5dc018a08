// End to end over real SLIM: the v2 SDK client (@modelcontextprotocol/client) on the 2026-07-28
// revision, and negotiating down against 2025-era servers, through two gateways over our SLIM node
// with MLS (test/support/mcp/scenarios/v2-client.ts, shared with the in-memory run).
import { startSlimPair } from '../support/mcp/slim-pair.js';
import { v2ClientScenario } from '../support/mcp/scenarios/v2-client.js';

v2ClientScenario((backend) => startSlimPair(backend), 'two gateways over our SLIM node (MLS)');
