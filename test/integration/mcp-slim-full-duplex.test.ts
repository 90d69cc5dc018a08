// End to end over real SLIM: the v1 SDK client through two gateways over our SLIM node (MLS on) to
// an MCP server on Streamable HTTP and the same server over stdio: tools, resources, prompts,
// progress, logging, sampling, cancellation seen by the server, ping, an unknown tool, a 1 MB
// result, a result over the frame limit (test/support/mcp/scenarios/full-duplex.ts, shared with
// the in-memory run).
import { startSlimPair } from '../support/mcp/slim-pair.js';
import { fullDuplexScenario } from '../support/mcp/scenarios/full-duplex.js';

fullDuplexScenario((backend) => startSlimPair(backend), 'two gateways over our SLIM node (MLS)');
