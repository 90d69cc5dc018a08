// Unit: what a reload changes: services by name, routes by path, live access lists, and the
// settings that need a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffConfigs, isEmptyDiff } from '../../src/config/diff.js';
import { formatName } from '../../src/slim/dataplane/name.js';
import { SECRET, configFrom } from '../support/config.js';

const base = (extra = '') => `slim: { name: acme/demo/gw, sharedSecret: ${SECRET} }
services:
  - { name: acme/demo/a, mcp: { command: a } }
  - { name: acme/demo/b, a2a: { url: http://127.0.0.1:1 } }
routes:
  - { path: /mcp/a, mcp: acme/demo/a }
  - { path: /a2a/b, a2a: acme/demo/b }
${extra}`;

test('an identical configuration is an empty diff', () => {
  assert.ok(isEmptyDiff(diffConfigs(configFrom(base()), configFrom(base()))));
});

test('services and routes: added, removed and changed', () => {
  const before = configFrom(base());
  const after = configFrom(`slim: { name: acme/demo/gw, sharedSecret: ${SECRET} }
services:
  - { name: acme/demo/a, mcp: { command: a, args: [--verbose] } }
  - { name: acme/demo/c, mcp: { url: http://127.0.0.1:2/mcp } }
routes:
  - { path: /mcp/a, mcp: { group: [acme/demo/a, acme/demo/c] } }
  - { path: /mcp/c, mcp: acme/demo/c }
http: { bearerTokens: [token-0123456789-0123456789-0123456789] }
`);
  const d = diffConfigs(before, after);
  assert.deepEqual(
    d.services.added.map((s) => formatName(s.name)),
    ['acme/demo/c'],
  );
  assert.deepEqual(
    d.services.removed.map((s) => formatName(s.name)),
    ['acme/demo/b'],
  );
  assert.deepEqual(
    d.services.changed.map((c) => formatName(c.after.name)),
    ['acme/demo/a'],
  );
  assert.deepEqual(
    d.routes.added.map((r) => r.path),
    ['/mcp/c'],
  );
  assert.deepEqual(
    d.routes.removed.map((r) => r.path),
    ['/a2a/b'],
  );
  assert.deepEqual(
    d.routes.changed.map((c) => c.after.path),
    ['/mcp/a'],
  );
  assert.equal(d.access, true);
  assert.deepEqual(d.restartNeeded, []);
});

test('slim, http.listen and log changes need a restart', () => {
  const d = diffConfigs(
    configFrom(base()),
    configFrom(
      base('http: { listen: 127.0.0.1:9090 }\nlog: { level: debug }\n')
        .replace('mls', 'mls')
        .replace('acme/demo/gw', 'acme/demo/gw2'),
    ),
  );
  assert.deepEqual(d.restartNeeded, ['slim', 'http.listen', 'log']);
  assert.equal(d.access, false);
  assert.ok(!isEmptyDiff(d));
});
