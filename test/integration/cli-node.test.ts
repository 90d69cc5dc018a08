// Integration: `slim-gateway node` as a user runs it. Reference apps hold a P2P session through
// the spawned node; SIGTERM then shuts it down cleanly (exit code 0) with the apps still attached.
// Also: --help, a bad option (exit 2) and a busy port (exit 1, with the reason). Logs are read
// from stderr, where every command writes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GrpcLink } from '../../src/slim/dataplane/grpc-link.js';
import { basicCredentials } from '../../src/slim/dataplane/index.js';
import { makeName } from '../../src/slim/dataplane/name.js';
import { Inbox, publishFrame } from '../support/dataplane.js';
import { REPO_ROOT } from '../support/paths.js';
import { ReferencePeer, freePort } from '../support/reference.js';
import { connectReferenceApp } from '../support/reference-apps.js';

const BIN = join(REPO_ROOT, 'bin', 'slim-gateway');

function startNode(args: string[]): {
  child: ChildProcessWithoutNullStreams;
  /** Log lines, read from stderr. */
  lines: Record<string, unknown>[];
  /** What the node printed on stdout (nothing: it has no output besides logs). */
  stdout: string[];
  waitFor: (re: RegExp) => Promise<Record<string, unknown>>;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, [BIN, 'node', ...args], { cwd: REPO_ROOT });
  const lines: Record<string, unknown>[] = [];
  const listeners = new Set<() => void>();
  const stdout: string[] = [];
  createInterface({ input: child.stdout }).on('line', (l) => stdout.push(l));
  createInterface({ input: child.stderr }).on('line', (l) => {
    try {
      lines.push(JSON.parse(l) as Record<string, unknown>);
    } catch {
      lines.push({ msg: l });
    }
    for (const f of listeners) f();
  });
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const waitFor = (re: RegExp) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`no log ${re}; got ${JSON.stringify(lines.map((l) => l['msg']))}`)),
        20_000,
      );
      const check = () => {
        const hit = lines.find((l) => re.test(String(l['msg'])));
        if (hit) {
          clearTimeout(t);
          listeners.delete(check);
          resolve(hit);
        }
      };
      listeners.add(check);
      check();
      void exit.then(() => setTimeout(check, 50));
    });
  return { child, lines, stdout, waitFor, exit };
}

test('slim-gateway node: reference apps talk through it; SIGTERM exits 0', async (t) => {
  const port = await freePort();
  const node = startNode(['--listen', `127.0.0.1:${port}`]);
  t.after(() => {
    node.child.kill('SIGKILL');
  });
  const listening = await node.waitFor(/SLIM node listening/);
  assert.equal(listening['endpoint'], `http://127.0.0.1:${port}`);

  const bob = await ReferencePeer.start({ label: 'bob' });
  const alice = await ReferencePeer.start({ label: 'alice' });
  t.after(() => Promise.all([alice.stop(), bob.stop()]).then(() => undefined));
  const endpoint = `http://127.0.0.1:${port}`;
  await connectReferenceApp(bob, 'bob', endpoint);
  await connectReferenceApp(alice, 'alice', endpoint);
  const bobEcho = bob.run<string>(
    `const sess = await objects.get('app').listenForSessionAsync(20000);
     const m = await sess.getMessageAsync(20000);
     await sess.publishToAsync(m.context, te.encode('echo:' + td.decode(m.payload)).buffer, undefined, undefined);
     return td.decode(m.payload);`,
  );
  const reply = await alice.run<string>(
    `const bob = new s.Name('org', 'ns', 'bob');
     await objects.get('app').setRouteAsync(bob, objects.get('conn'));
     const cfg = s.SessionConfig.create({ sessionType: s.SessionType.PointToPoint, metadata: new Map(),
       mlsSettings: s.MlsSettings.create({ headerIntegrityValidationPercent: 100 }) });
     const sess = await objects.get('app').createSessionAndWaitAsync(cfg, bob);
     await sess.publishAsync(te.encode('hi').buffer, undefined, undefined);
     return td.decode((await sess.getMessageAsync(20000)).payload);`,
  );
  assert.equal(await bobEcho, 'hi');
  assert.equal(reply, 'echo:hi');
  assert.ok(node.lines.filter((l) => l['msg'] === 'link negotiated').length >= 2);

  node.child.kill('SIGTERM');
  assert.equal(await node.exit, 0);
  assert.ok(node.lines.some((l) => l['msg'] === 'node closed'));
  assert.deepEqual(node.stdout, [], 'logs go to stderr, as for every command');
});

test('slim-gateway node: --help, a bad option, a busy port', async (t) => {
  const help = spawnSync(process.execPath, [BIN, 'node', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--listen HOST:PORT/);
  const bad = spawnSync(process.execPath, [BIN, 'node', '--listen', 'nowhere'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /HOST:PORT/);
  const port = await freePort();
  const first = startNode(['--listen', `127.0.0.1:${port}`]);
  t.after(() => {
    first.child.kill('SIGKILL');
  });
  await first.waitFor(/SLIM node listening/);
  const second = startNode(['--listen', `127.0.0.1:${port}`]);
  assert.equal(await second.exit, 1);
  assert.ok(second.lines.some((l) => /cannot start the SLIM node/.test(String(l['msg']))));
  first.child.kill('SIGINT');
  assert.equal(await first.exit, 0);
});

test('slim-gateway node with mTLS and Basic: links with the password work, others are refused', async (t) => {
  const tls = join(REPO_ROOT, 'test', 'fixtures', 'tls');
  const dir = mkdtempSync(join(tmpdir(), 'slim-node-cli-'));
  const password = 'node-password-0123456789-0123456789';
  const users = join(dir, 'users');
  writeFileSync(users, `# who may link\ngw1:${password}\n`);
  const port = await freePort();
  const node = startNode([
    ...['--listen', `127.0.0.1:${port}`],
    ...['--tls-cert', join(tls, 'node.pem'), '--tls-key', join(tls, 'node.key')],
    ...['--tls-client-ca', join(tls, 'ca.pem'), '--auth-basic-file', users],
    ...['--max-subscriptions-per-connection', '16'],
  ]);
  const links: GrpcLink[] = [];
  t.after(async () => {
    await Promise.all(links.map((l) => l.close()));
    node.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const listening = await node.waitFor(/SLIM node listening/);
  assert.equal(listening['endpoint'], `https://127.0.0.1:${port}`);
  const pem = (f: string) => new Uint8Array(readFileSync(join(tls, f)));
  const mtls = { ca: pem('ca.pem'), cert: pem('client.pem'), key: pem('client.key') };
  const link = (withPassword: boolean) => {
    const l = new GrpcLink({
      endpoint: `https://127.0.0.1:${port}`,
      tls: mtls,
      ...(withPassword ? { auth: basicCredentials({ username: 'gw1', password }) } : {}),
    });
    links.push(l);
    return l;
  };
  const [a, b] = [link(true), link(true)];
  const bob = makeName('org', 'ns', 'bob', 2n);
  const inbox = new Inbox(b);
  await a.start();
  await b.start();
  await b.subscribe(bob, { source: bob });
  await a.publish(publishFrame(makeName('org', 'ns', 'alice', 1n), bob, 'via the cli node'));
  await inbox.until((x) => x.includes('via the cli node'), 'the frame');
  await assert.rejects(link(false).start(), { code: 'AUTH' });
  await node.waitFor(/refusing link: authentication failed/);
  assert.ok(!node.lines.some((l) => JSON.stringify(l).includes(password)), 'no password in the logs');
  node.child.kill('SIGTERM');
  assert.equal(await node.exit, 0);
});

test('slim-gateway node: bad TLS, auth and limit flags exit 2 with the reason', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slim-node-cli-'));
  try {
    const short = join(dir, 'short');
    writeFileSync(short, 'gw1:short-password\n');
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [BIN, 'node', ...args], { encoding: 'utf8' });
    const cases: [string[], RegExp][] = [
      [['--tls-cert', join(dir, 'x.pem')], /--tls-cert and --tls-key go together/],
      [['--tls-cert', short, '--tls-key', short], /--tls-cert: .* is not a PEM file/],
      [['--auth-basic-file', short], /line 1: the password must be at least 32 characters \(it has 14\)/],
      [['--auth-basic-file', join(dir, 'missing')], /--auth-basic-file: cannot read/],
      [['--max-connections', '0'], /--max-connections must be a positive integer/],
    ];
    for (const [args, why] of cases) {
      const r = run(...args);
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, why);
      assert.ok(!r.stderr.includes('short-password'), 'no password echoed');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
