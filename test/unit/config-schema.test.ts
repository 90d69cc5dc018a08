// Unit: the shipped configuration artifacts stay true: the JSON Schema for editors matches the zod
// schema (drift), and the default and example configurations validate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkConfigFile } from '../../src/config/load.js';
import { parseConfig } from '../../src/config/parse.js';
import { configJsonSchema } from '../../src/config/json-schema.js';
import { REPO_ROOT } from '../support/paths.js';
import { SECRET } from '../support/config.js';

test('config/gateway.schema.json is generated from the zod schema (run npm run config:schema)', () => {
  // Compared as data: the committed file is prettier-formatted.
  const committed: unknown = JSON.parse(
    readFileSync(join(REPO_ROOT, 'config', 'gateway.schema.json'), 'utf8'),
  );
  assert.deepEqual(committed, JSON.parse(configJsonSchema()));
});

test('the JSON Schema is strict and names the documented sections', () => {
  const schema = JSON.parse(configJsonSchema()) as {
    additionalProperties: boolean;
    required: string[];
    properties: Record<string, { additionalProperties?: boolean; properties?: Record<string, unknown> }>;
  };
  assert.equal(schema.additionalProperties, false);
  assert.deepEqual(schema.required, ['slim']);
  for (const k of ['slim', 'http', 'services', 'routes']) assert.ok(schema.properties[k], k);
  assert.equal(schema.properties['slim']!.additionalProperties, false);
  assert.deepEqual(Object.keys(schema.properties['slim']!.properties!).slice(0, 8), [
    'node',
    'listen',
    'name',
    'sharedSecret',
    'jwt',
    'trust',
    'mls',
    'tls',
  ]);
});

test('the default configuration is valid and uses the development secret only as a default', () => {
  const r = checkConfigFile(join(REPO_ROOT, 'config', 'gateway.yaml'), {});
  assert.ok(r.ok, !r.ok ? r.problems.map((p) => `${p.path}: ${p.message}`).join('\n') : '');
  // The secret, and the ports (SLIM_LISTEN, HTTP_LISTEN, PLANNER_PORT), have defaults.
  assert.deepEqual(
    r.config.defaultedVariables.filter((d) => d.path === 'slim.sharedSecret'),
    [{ variable: 'SLIM_SHARED_SECRET', path: 'slim.sharedSecret' }],
  );
  assert.deepEqual([...new Set(r.config.defaultedVariables.map((d) => d.variable))].sort(), [
    'HTTP_LISTEN',
    'PLANNER_PORT',
    'SLIM_LISTEN',
    'SLIM_SHARED_SECRET',
  ]);
  assert.equal(r.config.http.listen.port, 8080);
  assert.equal(r.config.slim.node.kind === 'embedded' && r.config.slim.node.listen.port, 46357);
  assert.equal(r.config.slim.mls, true);
  assert.equal(r.config.slim.node.kind, 'embedded');
  assert.deepEqual(
    r.config.routes.map((x) => x.path),
    ['/mcp/weather', '/a2a/planner'],
  );
  const withSecret = checkConfigFile(join(REPO_ROOT, 'config', 'gateway.yaml'), {
    SLIM_SHARED_SECRET: SECRET,
  });
  assert.ok(withSecret.ok);
  assert.deepEqual(withSecret.config.slim.identity, { kind: 'sharedSecret', secret: SECRET });
  assert.ok(!withSecret.config.defaultedVariables.some((d) => d.path === 'slim.sharedSecret'));
});

test('the two-gateways example configurations are valid with a shared secret, and need one', () => {
  for (const side of ['server-side', 'client-side']) {
    const file = join(REPO_ROOT, 'examples', 'two-gateways', `${side}.yaml`);
    const r = checkConfigFile(file, { SLIM_SHARED_SECRET: SECRET });
    assert.ok(r.ok, `${side}: ${!r.ok ? r.problems.map((p) => `${p.path}: ${p.message}`).join('\n') : ''}`);
    const missing = checkConfigFile(file, {});
    assert.ok(!missing.ok);
    assert.deepEqual(
      missing.problems.map((p) => p.path),
      ['slim.sharedSecret'],
    );
  }
});

test('the two-gateways example: every port it shares with npm start can be moved by a variable', () => {
  const dir = join(REPO_ROOT, 'examples', 'two-gateways');
  const server = checkConfigFile(join(dir, 'server-side.yaml'), {
    SLIM_SHARED_SECRET: SECRET,
    SLIM_LISTEN: '127.0.0.1:46358',
    HTTP_LISTEN: '127.0.0.1:8091',
    PLANNER_PORT: '9998',
  });
  assert.ok(server.ok);
  const node = server.config.slim.node;
  assert.deepEqual(node.kind === 'embedded' && node.listen, { host: '127.0.0.1', port: 46358 });
  assert.equal(server.config.http.listen.port, 8091);
  const planner = server.config.services.find((x) => x.kind === 'a2a')!;
  assert.equal(planner.kind === 'a2a' && planner.url, 'http://127.0.0.1:9998');
  assert.deepEqual(planner.spawn?.args.slice(-2), ['--port', '9998']);
  const client = checkConfigFile(join(dir, 'client-side.yaml'), {
    SLIM_SHARED_SECRET: SECRET,
    SLIM_NODE: 'http://127.0.0.1:46358',
    HTTP_LISTEN: '127.0.0.1:8090',
  });
  assert.ok(client.ok);
  assert.equal(client.config.http.listen.port, 8090);
  const remote = client.config.slim.node;
  assert.equal(remote.kind === 'remote' && remote.url, 'http://127.0.0.1:46358');
});

test('the README configuration reference uses only keys the schema knows', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'));
  const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, 'no yaml block in the Configuration section');
  const pem = new TextEncoder().encode('-----BEGIN X-----\n-----END X-----\n');
  const r = parseConfig(block, {
    env: { SLIM_SHARED_SECRET: SECRET, LOCAL_TOKEN: SECRET },
    baseDir: '/',
    readFile: () => pem,
  });
  // It lists every key at once, so only "tls needs an https:// node" may be wrong with it.
  const problems = r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`);
  assert.deepEqual(problems, [
    'slim.tls: tls applies only to an https:// node URL (or an embedded node with server.tls)',
  ]);
});
