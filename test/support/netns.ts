// A three-host network for the network tests (test/network): Linux network namespaces for the
// client host (client-side gateway), the server host (server-side gateway and its MCP server) and
// the node host (our SLIM node), joined by two veth pairs (client-node, server-node), with
// iptables for faults: random packet loss (`-m statistic --mode random`) and partitions (DROP
// everything). Everything made here is removed by `remove()` (registered in t.after), processes
// first; a lab that cannot be built throws with the reason, so a test fails instead of skipping.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Child } from './child.js';

export type Host = 'cli' | 'srv' | 'nod';

type After = { after: (fn: () => void | Promise<void>) => void };

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(e.stderr ?? '').trim() || e.message}`);
  }
}

export class NetLab {
  /** The node host's address as each other host sees it. */
  readonly nodeAddress: Record<'cli' | 'srv', string>;
  private readonly id = randomBytes(3).toString('hex');
  private readonly children = new Set<Child>();
  private removed = false;

  private constructor() {
    this.nodeAddress = { cli: '10.231.1.2', srv: '10.231.2.2' };
  }

  /** The namespace name of a host (unique per lab). */
  ns(host: Host): string {
    return `sgw-${this.id}-${host}`;
  }

  /** Builds the lab; throws with a clear reason when namespaces, veths or iptables are missing. */
  static create(t: After): NetLab {
    const lab = new NetLab();
    t.after(() => lab.remove());
    for (const tool of ['ip', 'iptables']) {
      try {
        execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      } catch {
        throw new Error(
          `${tool} is not installed: the network tests need iproute2 and iptables (run .ci/run)`,
        );
      }
    }
    try {
      for (const h of ['cli', 'srv', 'nod'] as const) {
        run('ip', ['netns', 'add', lab.ns(h)]);
        lab.exec(h, 'ip', ['link', 'set', 'lo', 'up']);
      }
      lab.link('cli', '10.231.1.1', '10.231.1.2', 'c');
      lab.link('srv', '10.231.2.1', '10.231.2.2', 's');
      // The node host does not forward between the two: gateways only ever talk to the node.
      lab.exec('nod', 'iptables', ['-A', 'FORWARD', '-j', 'DROP']);
    } catch (err) {
      lab.remove();
      throw new Error(
        `cannot build the network namespaces (root and iproute2 needed): ${(err as Error).message}`,
      );
    }
    return lab;
  }

  /** Runs a command inside a host's namespace; returns its stdout. */
  exec(host: Host, cmd: string, args: string[]): string {
    return run('ip', ['netns', 'exec', this.ns(host), cmd, ...args]);
  }

  /** Starts a long-running process inside a host's namespace (killed by remove()). */
  spawn(host: Host, command: string, args: string[], env: Record<string, string> = {}): Child {
    const child = new Child('ip', ['netns', 'exec', this.ns(host), command, ...args], env);
    this.children.add(child);
    void child.exited.then(() => this.children.delete(child));
    return child;
  }

  /** Drops this share of the packets every host receives (0 removes the rule). */
  loss(probability: number): void {
    for (const h of ['cli', 'srv', 'nod'] as const) {
      this.exec(h, 'iptables', ['-F', 'INPUT']);
      if (probability > 0)
        this.exec(h, 'iptables', [
          '-A',
          'INPUT',
          '-m',
          'statistic',
          '--mode',
          'random',
          '--probability',
          String(probability),
          '-j',
          'DROP',
        ]);
    }
  }

  /** Cuts a host off (every packet in and out dropped), or heals it. */
  partition(host: Host, cut: boolean): void {
    const op = cut ? '-I' : '-D';
    this.exec(host, 'iptables', [op, 'INPUT', '-j', 'DROP']);
    this.exec(host, 'iptables', [op, 'OUTPUT', '-j', 'DROP']);
  }

  /**
   * A veth pair from this test process's namespace to the client host, so the test's own MCP
   * client can reach an HTTP endpoint there; returns [our address, the client host's address]. A
   * random /30 keeps two labs apart; the pair goes with the client host's namespace.
   */
  exposeClientHost(): [string, string] {
    const net = `10.${240 + (parseInt(this.id, 16) % 15)}.${parseInt(this.id.slice(2), 16) % 256}`;
    const ours = `${net}.1`;
    const theirs = `${net}.2`;
    const a = `v${this.id}rt`;
    const b = `v${this.id}rc`;
    run('ip', ['link', 'add', a, 'type', 'veth', 'peer', 'name', b, 'netns', this.ns('cli')]);
    run('ip', ['addr', 'add', `${ours}/30`, 'dev', a]);
    run('ip', ['link', 'set', a, 'up']);
    this.exec('cli', 'ip', ['addr', 'add', `${theirs}/30`, 'dev', b]);
    this.exec('cli', 'ip', ['link', 'set', b, 'up']);
    return [ours, theirs];
  }

  /** Kills every process started here, then deletes the namespaces (and with them veths and rules). */
  remove(): void {
    if (this.removed) return;
    this.removed = true;
    for (const c of this.children) c.kill();
    for (const h of ['cli', 'srv', 'nod'] as const) {
      try {
        run('ip', ['netns', 'del', this.ns(h)]);
      } catch {
        // Not made (a failed build), or already gone.
      }
    }
  }

  /** A veth pair between `host` and the node host, `hostIp` on the host's end, `nodeIp` on the node's. */
  private link(host: 'cli' | 'srv', hostIp: string, nodeIp: string, tag: string): void {
    const a = `v${this.id}${tag}h`;
    const b = `v${this.id}${tag}n`;
    run('ip', [
      'link',
      'add',
      a,
      'netns',
      this.ns(host),
      'type',
      'veth',
      'peer',
      'name',
      b,
      'netns',
      this.ns('nod'),
    ]);
    this.exec(host, 'ip', ['addr', 'add', `${hostIp}/24`, 'dev', a]);
    this.exec(host, 'ip', ['link', 'set', a, 'up']);
    this.exec('nod', 'ip', ['addr', 'add', `${nodeIp}/24`, 'dev', b]);
    this.exec('nod', 'ip', ['link', 'set', b, 'up']);
  }
}
