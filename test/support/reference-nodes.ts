// Reference SLIM nodes started from SLIM YAML configurations (test/fixtures/reference/config-node.mjs),
// for multi-node deployments: two nodes A and B joined by a PEER link (B dials A with
// `connection_type: peer`), so each node learns the other's subscriptions and an app on either
// reaches an app on the other. Facts this relies on (checked against the reference 2.2.0): only YAML
// makes a peer link; node ids must differ; `domain_name` must be equal or unset on both; one dialer
// is enough. Each node is its own process, killed after the test.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';
import { freePort } from './reference.js';

const SCRIPT = join(REPO_ROOT, 'test', 'fixtures', 'reference', 'config-node.mjs');

type After = { after: (fn: () => void | Promise<void>) => void };

export interface ReferenceConfigNode {
  readonly url: string;
  readonly port: number;
  /** The node's output so far, ANSI colours removed. */
  output(): string;
  /** Resolves when the output matches (hang guard `timeoutMs`). */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** The SLIM YAML of one node listening on `port`, optionally dialing `peerUrl` as a peer. */
export function nodeYaml(label: string, port: number, peerUrl?: string): string {
  const clients = peerUrl
    ? `
        - endpoint: "${peerUrl}"
          connection_type: peer
          tls:
            insecure: true`
    : ' []';
  return `tracing:
  log_level: info
runtime:
  n_cores: 0
  thread_name: "slim-${label}"
  drain_timeout: 2s
services:
  slim/0:
    node_id: ${label}-${randomUUID().slice(0, 8)}
    dataplane:
      servers:
        - endpoint: "127.0.0.1:${port}"
          tls:
            insecure: true
      clients:${clients}
`;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts one reference node from `yaml` and waits until its port accepts connections. */
export async function startConfigNode(
  t: After,
  label: string,
  yaml: string,
  port: number,
): Promise<ReferenceConfigNode> {
  const dir = mkdtempSync(join(tmpdir(), `slim-ref-${label}-`));
  const file = join(dir, 'node.yaml');
  writeFileSync(file, yaml);
  const child: ChildProcess = spawn(process.execPath, [SCRIPT, file], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    // eslint-disable-next-line no-control-regex
    text += d.toString().replace(/\u001b\[[0-9;]*m/g, '');
    if (text.length > 200_000) text = text.slice(-100_000);
    for (const l of [...listeners]) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  t.after(stop);
  const node: ReferenceConfigNode = {
    url: `http://127.0.0.1:${port}`,
    port,
    output: () => text,
    waitForOutput(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(text)) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(
            new Error(`reference node ${label}: no ${pattern} within ${timeoutMs} ms:\n${text.slice(-3000)}`),
          );
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    stop,
  };
  await node.waitForOutput(/"event":"ready"/);
  for (let i = 0; i < 200 && !(await portOpen(port)); i++) {
    if (child.exitCode !== null) throw new Error(`reference node ${label} exited:\n${text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!(await portOpen(port)))
    throw new Error(`reference node ${label} is not listening on ${port}:\n${text}`);
  return node;
}

/** Nodes A and B, B dialing A as a peer; resolves once A has accepted the peer link. */
export async function startLinkedReferenceNodes(
  t: After,
): Promise<{ a: ReferenceConfigNode; b: ReferenceConfigNode }> {
  const [pa, pb] = [await freePort(), await freePort()];
  const a = await startConfigNode(t, 'ref-a', nodeYaml('ref-a', pa), pa);
  const b = await startConfigNode(t, 'ref-b', nodeYaml('ref-b', pb, a.url), pb);
  await a.waitForOutput(/upgrading server-side connection to Peer/i);
  return { a, b };
}
