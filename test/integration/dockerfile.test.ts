// test-file-timeout-ms: 900000
// The container image without a container engine: the Dockerfile's build replayed in temporary
// folders (test/support/dockerfile.ts: its COPY and RUN lines as written, npm from the local cache
// where it can), then what the image promises checked on the result: Node 24 slim base, a
// non-root user, production dependencies only, the default configuration valid (`check`) and
// listening on the EXPOSEd ports, the gateway starting from the image's ENTRYPOINT and CMD, and
// the HEALTHCHECK command succeeding against it and failing once it is gone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Child } from '../support/child.js';
import { replayDockerfile } from '../support/dockerfile.js';
import type { Replayed } from '../support/dockerfile.js';
import { logMatching } from '../support/gateway-process.js';
import { REPO_ROOT } from '../support/paths.js';
import { SECRET } from '../support/config.js';
import { freePort } from '../support/reference.js';

const CONFIG = '/etc/slim-gateway/gateway.yaml';
const SECRETS = { SLIM_SHARED_SECRET: SECRET, SLIM_GATEWAY_TOKEN: `${SECRET}-token` };

let image: Replayed;

before(
  () => {
    image = replayDockerfile(join(REPO_ROOT, 'Dockerfile'), REPO_ROOT, { npm_config_prefer_offline: 'true' });
  },
  { timeout: 900_000 },
);
after(() => image?.cleanup());

/** An image command run here: `node` is this Node.js, image paths map into the replayed image. */
function command(argv: readonly string[]): [string, string[]] {
  const [cmd, ...args] = image.mapCommand(argv);
  return [cmd === 'node' ? process.execPath : cmd!, args];
}

function runInImage(argv: readonly string[], env: Record<string, string | undefined>) {
  const [cmd, args] = command(argv);
  const r = spawnSync(cmd, args, {
    cwd: image.inImage(image.final.workdir),
    env: { ...process.env, ...image.final.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

test('the image: Node 24 slim, non-root, production dependencies only', () => {
  assert.deepEqual(
    image.stages.map((s) => s.from),
    ['node:24-slim', 'node:24-slim'],
  );
  assert.ok(image.final.user && image.final.user !== 'root' && image.final.user !== '0');
  assert.equal(image.final.env['NODE_ENV'], 'production');
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const modules = image.inImage('/app/node_modules');
  for (const dep of Object.keys(pkg.dependencies)) assert.ok(existsSync(join(modules, dep)), dep);
  // What the lockfile marks as needed by development only (typescript, eslint, the reference
  // bindings, ...) is absent.
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  const devOnly = Object.entries(lock.packages).filter(([path, p]) => path !== '' && p.dev);
  assert.ok(devOnly.some(([path]) => path === 'node_modules/typescript'));
  for (const [path] of devOnly) assert.ok(!existsSync(image.inImage(`/app/${path}`)), `${path} in the image`);
  assert.ok(existsSync(image.inImage('/app/dist/bundle/main.js')), 'the bundle the bin runs');
  assert.ok(!existsSync(image.inImage('/app/dist/src')), 'the bundle, not the compiled modules');
  assert.ok(!existsSync(image.inImage('/app/dist/test')), 'no compiled tests in the image');
  const version = runInImage([...image.final.entrypoint!, '--version'], {});
  assert.equal(version.code, 0, version.out);
  assert.equal(
    version.out.trim(),
    (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version,
  );
});

test("the image's default configuration passes check and listens on the EXPOSEd ports", () => {
  assert.deepEqual(image.final.cmd, ['run', '--config', CONFIG]);
  const check = runInImage([...image.final.entrypoint!, 'check', '--config', CONFIG], SECRETS);
  assert.equal(check.code, 0, check.out);
  assert.match(check.out, /SLIM node {2}embedded node on 0\.0\.0\.0:(\d+)/);
  const nodePort = Number(/embedded node on 0\.0\.0\.0:(\d+)/.exec(check.out)![1]);
  const httpPort = Number(/listening on 0\.0\.0\.0:(\d+)/.exec(check.out)![1]);
  assert.deepEqual([...image.final.expose].sort(), [nodePort, httpPort].sort());
  assert.match(check.out, /bearer token required/);
  // Without its secrets it says which variables to set.
  const bare = runInImage([...image.final.entrypoint!, 'check', '--config', CONFIG], {
    SLIM_SHARED_SECRET: undefined,
    SLIM_GATEWAY_TOKEN: undefined,
  });
  assert.equal(bare.code, 1);
  assert.match(bare.out, /SLIM_SHARED_SECRET/);
  // The example MCP client runs in the image (the Kubernetes example's client container): its
  // library is there, so it gets as far as the network.
  const client = runInImage(['node', '/app/dist/examples/clients/mcp-call.js', 'http://127.0.0.1:1/mcp'], {});
  assert.equal(client.code, 1);
  assert.doesNotMatch(client.out, /ERR_MODULE_NOT_FOUND|Cannot find (package|module)/);
});

test(
  'the image starts as shipped; its HEALTHCHECK passes while it runs and fails once it stopped',
  { timeout: 180_000 },
  async (t) => {
    const healthcheck = image.final.healthcheck!;
    assert.equal(healthcheck[0], 'node', 'the health check needs nothing but node');
    // The container's addresses moved to free loopback ports (a test listens on loopback only).
    const env = {
      ...SECRETS,
      SLIM_LISTEN: `127.0.0.1:${await freePort()}`,
      HTTP_LISTEN: `127.0.0.1:${await freePort()}`,
    };
    const probe = () => runInImage(healthcheck, env);
    const before = probe();
    assert.equal(before.code, 1, `nothing runs yet: ${before.out}`);
    assert.match(before.out, /^unhealthy: /);

    const [cmd, args] = command([...image.final.entrypoint!, ...image.final.cmd!]);
    const gateway = new Child(cmd, args, { ...image.final.env, ...env, SLIM_GATEWAY_LOG_FORMAT: 'json' });
    t.after(() => gateway.kill());
    await gateway.waitForLog(logMatching(/^slim-gateway \S+ ready$/), 'ready', 60_000);
    const healthy = probe();
    assert.equal(healthy.code, 0, healthy.out);
    assert.match(
      healthy.out,
      new RegExp(`^healthy: http://${env.HTTP_LISTEN.replace(/\./g, '\\.')}/healthz`),
    );

    gateway.proc.kill('SIGTERM');
    assert.equal((await gateway.exit(60_000)).code, 0);
    const gone = probe();
    assert.equal(gone.code, 1, gone.out);
  },
);
