// Two slim-gateway processes (`bin/slim-gateway run`, production deps, MLS on) around the example
// planner agent, as in examples/two-gateways: the server side offers the agent on SLIM as
// acme/demo/planner, the client side serves the A2A route /a2a/planner. The SLIM node is the
// server side's embedded node, or a reference node both sides attach to. The agent runs in the
// test process so tests can pace it, stop it and start it again on the same port. Everything
// listens on loopback with free ports; close() stops it all.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlannerAgent } from '../../examples/agents/planner-agent.js';
import type { PlannerAgent } from '../../examples/agents/planner-agent.js';
import type { Pacing } from './a2a-chain.js';
import type { Route } from './a2a-scenarios.js';
import { Child } from './child.js';
import { REPO_ROOT } from './paths.js';
import { freePort, startReferenceNode } from './reference.js';
import type { ReferencePeer } from './reference.js';
import { until } from './until.js';

const BIN = join(REPO_ROOT, 'bin', 'slim-gateway');
const live = new Set<Child>();
process.on('exit', () => {
  for (const child of live) child.kill();
});
export const GATEWAY_SECRET = 'two-gateways-test-secret-0123456789abcdef';

export interface GatewayProcess {
  readonly child: Child;
  /** Base URL of its local endpoints. */
  readonly url: string;
  stop(): Promise<void>;
}

/** Runs `slim-gateway run` on `yaml` (written to a temporary file); resolves once it is ready. */
export async function startGatewayProcess(
  yaml: string,
  env: Record<string, string> = {},
  nodeArgs: readonly string[] = [],
): Promise<GatewayProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'slim-gw-a2a-'));
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, yaml);
  const child = new Child(process.execPath, [...nodeArgs, BIN, 'run', '--config', file], {
    SLIM_GATEWAY_LOG_LEVEL: 'info',
    SLIM_GATEWAY_LOG_FORMAT: 'json',
    ...env,
  });
  live.add(child);
  const stop = async () => {
    live.delete(child);
    if (child.proc.exitCode === null && child.proc.signalCode === null) {
      child.proc.kill('SIGTERM');
      await child.exit(30_000).catch(() => child.kill());
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ready = await child.waitForLog(
      (l) => /^slim-gateway \S+ ready$/.test(l.msg) && typeof l['url'] === 'string',
      'gateway ready',
      60_000,
    );
    return { child, url: String(ready['url']), stop };
  } catch (err) {
    child.kill();
    await stop();
    throw err;
  }
}

export type NodeChoice = 'ours' | 'reference';

export interface TwoGateways extends Route {
  readonly agent: PlannerAgent;
  /** The server side (a new process after restartServer()). */
  readonly server: GatewayProcess;
  readonly client: GatewayProcess;
  /** Stops the agent (its port stays known), so calls find it down. */
  stopAgent(): Promise<void>;
  /** Starts the agent again on the same port. */
  startAgent(): Promise<void>;
  /** Kills the server side (SIGKILL: its embedded node goes too) and starts it again. */
  restartServer(): Promise<void>;
  close(): Promise<void>;
}

export interface TwoGatewaysOptions {
  readonly node?: NodeChoice;
  /** Extra routes for the client side (YAML list items, indented by 2). */
  readonly extraRoutes?: string;
  /** Node.js options for both gateway processes (e.g. --cpu-prof, for benchmarks). */
  readonly nodeArgs?: readonly string[];
}

export async function startTwoGateways(options: TwoGatewaysOptions = {}): Promise<TwoGateways> {
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const pacer = { pacing: (() => Promise.resolve()) as Pacing };
    const agentPort = await freePort();
    const agentOptions = {
      port: agentPort,
      stepDelayMs: 0,
      extendedCard: true,
      pushSender: { send: () => Promise.resolve() },
      beforeEvent: (taskId: string, index: number, signal: AbortSignal) =>
        pacer.pacing(taskId, index, signal),
    };
    let agent = await startPlannerAgent(agentOptions);
    closers.push(() => agent.close());

    let nodeYaml: { server: string; client: string };
    if (options.node === 'reference') {
      const ref: { peer: ReferencePeer; endpoint: string } = await startReferenceNode();
      closers.push(() => ref.peer.stop());
      nodeYaml = { server: `node: ${ref.endpoint}`, client: `node: ${ref.endpoint}` };
    } else {
      const port = await freePort();
      nodeYaml = {
        server: `node: embedded, listen: 127.0.0.1:${port}`,
        client: `node: http://127.0.0.1:${port}`,
      };
    }
    const serverYaml = `
slim: { ${nodeYaml.server}, name: acme/demo/server-gateway, sharedSecret: ${GATEWAY_SECRET}, mls: true }
http: { listen: 127.0.0.1:0 }
services:
  - name: acme/demo/planner
    a2a: { url: ${agent.url} }
`;
    let server = await startGatewayProcess(serverYaml, {}, options.nodeArgs);
    closers.push(() => server.stop());
    const client = await startGatewayProcess(
      `
slim: { ${nodeYaml.client}, name: acme/demo/client-gateway, sharedSecret: ${GATEWAY_SECRET}, mls: true }
http: { listen: 127.0.0.1:0 }
routes:
  - { path: /a2a/planner, a2a: acme/demo/planner }
${options.extraRoutes ?? ''}
`,
      {},
      options.nodeArgs,
    );
    closers.push(() => client.stop());
    await until(
      async () => (await fetch(`${client.url}/readyz`).catch(() => undefined))?.status === 200,
      'the client side to be ready',
      30_000,
    );
    const pair = {
      get server() {
        return server;
      },
      client,
      url: `${client.url}/a2a/planner`,
      get agent() {
        return agent;
      },
      get pacing() {
        return pacer.pacing;
      },
      set pacing(p: Pacing) {
        pacer.pacing = p;
      },
      stopAgent: () => agent.close(),
      startAgent: async () => {
        agent = await startPlannerAgent(agentOptions);
      },
      restartServer: async () => {
        server.child.kill();
        await server.child.exit();
        await server.stop();
        server = await startGatewayProcess(serverYaml, {}, options.nodeArgs);
      },
      close,
    };
    return pair;
  } catch (err) {
    await close();
    throw err;
  }
}
