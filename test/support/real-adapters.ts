// The real MCP and A2A adapters behind the GatewayDeps seams (src/gateway/deps.ts), for tests that
// run the whole gateway on in-memory or real SLIM deps: each factory hands its options to the
// adapter as they are (the ingress options already carry the group's member list, multicast
// client and unicast factory).
import { createA2aIngress, createA2aService } from '../../src/adapters/a2a/index.js';
import { createMcpIngress, createMcpService } from '../../src/adapters/mcp/index.js';
import type { A2aAdapter, McpAdapter } from '../../src/gateway/deps.js';

export function realMcp(): McpAdapter {
  return {
    createIngress: (o) => createMcpIngress(o),
    createService: (o) => {
      const b = o.backend;
      const backend =
        b.kind === 'stdio'
          ? { kind: 'stdio' as const, command: b.command, args: [...b.args], env: { ...b.env }, cwd: b.cwd }
          : { kind: 'http' as const, url: b.url, headers: { ...b.headers } };
      const s = createMcpService({ name: o.name, backend, logger: o.logger, metrics: o.metrics });
      return { service: s.service, close: () => s.close() };
    },
  };
}

export function realA2a(): A2aAdapter {
  return {
    createIngress: (o) => createA2aIngress(o),
    createService: (o) => {
      const s = createA2aService({ name: o.name, url: o.url, logger: o.logger, metrics: o.metrics });
      return { services: s.services, close: () => s.close() };
    },
  };
}
