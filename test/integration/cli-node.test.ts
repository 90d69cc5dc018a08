// Integration: `slim-gateway node` as a user runs it. Reference apps hold a P2P session through
// the spawned node; SIGTERM then shuts it down cleanly (exit code 0) with the apps still attached.
// Also: --help, a bad option (exit 2) and a busy port (exit 1, with the reason). Logs are read
// from stderr, where every command writes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
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
