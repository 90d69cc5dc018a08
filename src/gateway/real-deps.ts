// The production GatewayDeps: our SLIM stack (embedded node, gRPC link, sessions, SLIMRPC) and the
// MCP and A2A adapters. NOT WIRED YET in this build: those parts are built on their own branches;
// each factory below names the module it will call. Until then `run` and `stdio` stop with a clear
// UNIMPLEMENTED error instead of pretending to work. Wiring is one function per factory:
//   startNode       -> src/slim/node (the embedded node, listening on `listen`)
//   connectLink     -> remote: the gRPC link (src/slim/dataplane), embedded: an in-process link
//   createApp       -> a SlimApp (src/slim/session) with the shared-secret identity (src/slim/auth)
//   createRpcServer / createRpcClient / createMulticast -> src/slim/rpc (server, channel, multicast)
//   mcp.*           -> createMcpIngress / createMcpService (src/adapters/mcp)
//   a2a.*           -> createA2aIngress / createA2aService (src/adapters/a2a)
import { GatewayError } from '../util/errors.js';
import type { AppHandle, GatewayDeps, NodeHandle } from './deps.js';

function missing(part: string): never {
  throw new GatewayError('UNIMPLEMENTED', `${part} is not available in this build of slim-gateway yet`);
}

export function realDeps(): GatewayDeps<NodeHandle, AppHandle> {
  return {
    startNode: () =>
      Promise.reject(
        new GatewayError(
          'UNIMPLEMENTED',
          'the embedded SLIM node is not available in this build of slim-gateway yet',
        ),
      ),
    connectLink: () =>
      Promise.reject(
        new GatewayError('UNIMPLEMENTED', 'the SLIM link is not available in this build of slim-gateway yet'),
      ),
    createApp: () =>
      Promise.reject(
        new GatewayError(
          'UNIMPLEMENTED',
          'SLIM sessions are not available in this build of slim-gateway yet',
        ),
      ),
    createRpcServer: () => missing('the SLIMRPC server'),
    createRpcClient: () => missing('the SLIMRPC channel'),
    createMulticast: () =>
      Promise.reject(
        new GatewayError(
          'UNIMPLEMENTED',
          'SLIMRPC multicast is not available in this build of slim-gateway yet',
        ),
      ),
    mcp: { createIngress: () => missing('the MCP adapter'), createService: () => missing('the MCP adapter') },
    a2a: { createIngress: () => missing('the A2A adapter'), createService: () => missing('the A2A adapter') },
  };
}
