// The V8 flags of a gateway process (src/cli/node-flags.ts) where gateway processes are started:
// the launcher run as an executable (its `#!` line) starts Node.js with them, and `npm start` and
// the container's ENTRYPOINT give the same list (V8 reads them at process start only, so each
// place spells them out; this test keeps the places in step).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATEWAY_NODE_FLAGS } from '../../src/cli/node-flags.js';
import { Child } from '../support/child.js';
import { SECRET } from '../support/config.js';
import { BIN, logMatching, stop, writeConfig } from '../support/gateway-process.js';
import { REPO_ROOT } from '../support/paths.js';

const HANG_GUARD_MS = 120_000;

test('the flags are the same in the launcher, npm start and the container image', () => {
  assert.ok(GATEWAY_NODE_FLAGS.length > 0);
  const shebang = readFileSync(BIN, 'utf8').split('\n')[0];
  assert.equal(shebang, `#!/usr/bin/env -S node ${GATEWAY_NODE_FLAGS.join(' ')}`);
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  assert.equal(
    pkg.scripts['start'],
    `exec node ${GATEWAY_NODE_FLAGS.join(' ')} bin/slim-gateway run --config config/gateway.yaml`,
  );
  const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
  assert.ok(entrypoint, 'the Dockerfile has an ENTRYPOINT in exec form');
  assert.deepEqual(JSON.parse(entrypoint[1]!), ['node', ...GATEWAY_NODE_FLAGS, '/app/bin/slim-gateway']);
});

test(
  'the launcher run as an executable starts the gateway under Node.js with the flags',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    const file = writeConfig(
      t,
      `slim: { node: embedded, listen: 127.0.0.1:0, name: acme/demo/gw, sharedSecret: ${SECRET} }\n` +
        'http: { listen: 127.0.0.1:0 }\n',
    );
    // No `node` in front: the kernel reads the `#!` line, as for an installed `slim-gateway`.
    const child = new Child(BIN, ['run', '--config', file], { SLIM_GATEWAY_LOG_FORMAT: 'json' });
    t.after(() => child.kill());
    await child.waitForLog(logMatching(/^slim-gateway \S+ ready$/), 'ready', 60_000);
    // env(1) replaced itself with node: the process we started is Node.js running the launcher.
    const argv = readFileSync(`/proc/${child.proc.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const at = argv.indexOf(BIN);
    assert.ok(at > 0, argv.join(' '));
    assert.match(argv[0]!, /(^|\/)node$/);
    assert.deepEqual(argv.slice(1, at), [...GATEWAY_NODE_FLAGS]);
    assert.deepEqual(argv.slice(at + 1), ['run', '--config', file]);
    assert.equal(await stop(child), 0);
  },
);
