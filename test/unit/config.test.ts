// Unit: the configuration file contract (README.md#configuration): a valid file parses with its
// defaults, and a broken one reports every problem at once with its path and line; `${VAR}` and
// `${VAR:-default}` expansion; names, paths, secrets, addresses and TLS files are checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/parse.js';
import { formatName, NULL_ID } from '../../src/slim/dataplane/name.js';
import { DEFAULT_NODE_LIMITS } from '../../src/slim/node/limits.js';
import { SECRET, configFrom, problemsOf } from '../support/config.js';

const FULL = `
slim:
  node: embedded
  listen: 127.0.0.1:46357
  name: acme/demo/gateway
  sharedSecret: \${SLIM_SHARED_SECRET}
  mls: true
http:
  listen: 127.0.0.1:8080
  bearerTokens: [\${LOCAL_TOKEN}]
services:
  - name: acme/demo/weather
    mcp: { command: node, args: [examples/servers/weather.js], env: { PORT: 3000, DEBUG: true }, cwd: sub }
  - name: acme/demo/files
    mcp: { url: http://127.0.0.1:3001/mcp, headers: { x-api-key: k } }
  - name: acme/demo/planner
    a2a: { url: http://127.0.0.1:9999 }
    spawn: { command: node, args: [agent.js], cwd: /opt/agent }
routes:
  - path: /mcp/weather
    mcp: acme/demo/weather
  - path: /a2a/planner
    a2a: acme/demo/planner
  - path: /mcp/all
    mcp: { group: [acme/demo/a, acme/demo/b] }
    timeoutMs: 5000
`;

const ENV = { SLIM_SHARED_SECRET: SECRET, LOCAL_TOKEN: 'local-token-0123456789-0123456789-xyz' };

test('a valid configuration parses into typed, resolved values', () => {
  const c = configFrom(FULL, ENV);
  assert.deepEqual(c.slim.node, {
    kind: 'embedded',
    listen: { host: '127.0.0.1', port: 46357 },
    server: { limits: DEFAULT_NODE_LIMITS },
  });
  assert.equal(formatName(c.slim.name), 'acme/demo/gateway');
  assert.deepEqual(c.slim.identity, { kind: 'sharedSecret', secret: SECRET });
  assert.equal(c.slim.mls, true);
  assert.deepEqual(c.http.bearerTokens, [ENV.LOCAL_TOKEN]);

  const [weather, files, planner] = c.services;
  assert.equal(weather?.kind, 'mcp');
  assert.deepEqual(weather?.kind === 'mcp' && weather.backend, {
    kind: 'stdio',
    command: 'node',
    args: ['examples/servers/weather.js'],
    env: { PORT: '3000', DEBUG: 'true' },
    cwd: '/srv/gw/sub', // relative to the config file's directory
  });
  assert.deepEqual(files?.kind === 'mcp' && files.backend, {
    kind: 'http',
    url: 'http://127.0.0.1:3001/mcp',
    headers: { 'x-api-key': 'k' },
  });
  assert.equal(planner?.kind, 'a2a');
  assert.equal(planner?.kind === 'a2a' && planner.url, 'http://127.0.0.1:9999');
  assert.equal(planner?.spawn?.cwd, '/opt/agent');

  assert.deepEqual(
    c.routes.map((r) => [r.path, r.protocol, r.target.kind, r.timeoutMs]),
    [
      ['/mcp/weather', 'mcp', 'one', 300_000],
      ['/a2a/planner', 'a2a', 'one', 300_000],
      ['/mcp/all', 'mcp', 'group', 5000],
    ],
  );
  const group = c.routes[2]!.target;
  assert.deepEqual(group.kind === 'group' && group.members.map(formatName), ['acme/demo/a', 'acme/demo/b']);
});

test('the parsed configuration is deeply frozen', () => {
  const c = configFrom(FULL, ENV);
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.http) && Object.isFrozen(c.routes[0]));
  assert.ok(Object.isFrozen(c.http.bearerTokens) && Object.isFrozen(c.services[0]));
  assert.throws(() => {
    (c.http as { maxBodyBytes: number }).maxBodyBytes = 1;
  }, TypeError);
});

test('a minimal file gets the documented defaults', () => {
  const c = configFrom(`slim: { name: acme/demo/gw, sharedSecret: ${SECRET} }`);
  assert.deepEqual(c.slim.node, {
    kind: 'embedded',
    listen: { host: '127.0.0.1', port: 46357 },
    server: { limits: DEFAULT_NODE_LIMITS },
  });
  assert.equal(c.slim.mls, true);
  assert.equal(c.slim.name.id, NULL_ID);
  assert.deepEqual(c.http.listen, { host: '127.0.0.1', port: 8080 });
  assert.equal(c.http.maxBodyBytes, 4 * 1024 * 1024);
  assert.deepEqual(c.http.bearerTokens, []);
  assert.equal(c.http.keepAliveTimeoutMs, 65_000);
  assert.equal(c.shutdownGraceMs, 10_000);
  assert.equal(c.reload, true);
  assert.equal(c.warmUp, true, 'the start-up warm-up is on unless turned off');
  assert.equal(
    configFrom(`slim: { name: acme/demo/gw, sharedSecret: ${SECRET} }\nwarmUp: false`).warmUp,
    false,
  );
  assert.deepEqual(c.log, { level: 'info', format: 'auto' });
  assert.deepEqual([c.services, c.routes], [[], []]);
});

test('a broken configuration reports every problem at once, with its path and line', () => {
  const yaml = `slim:
  name: acme/demo
  sharedSecret: too-short-secret
  mls: true
  colour: blue
http:
  bearerTokens: [\${MISSING_TOKEN}]
routes:
  - path: /mcp/a
    mcp: acme/demo/a
  - path: /mcp/a
    mcp: acme/demo/b
  - path: /a2a/x
`;
  const problems = problemsOf(yaml);
  const byPath = new Map(problems.map((p) => [p.path, p]));
  const expect = (path: string, pattern: RegExp, line: number) => {
    const p = byPath.get(path);
    assert.ok(p, `no problem reported at ${path}; got ${[...byPath.keys()].join(', ')}`);
    assert.match(p.message, pattern);
    assert.equal(p.line, line, `line of ${path}`);
  };
  expect('slim.name', /must be org\/namespace\/app/, 2);
  expect('slim.sharedSecret', /at least 32 characters \(it has 16\)/, 3);
  expect('slim.colour', /unknown key "colour"/, 5);
  expect('http.bearerTokens[0]', /MISSING_TOKEN is not set/, 7);
  expect('routes[1].path', /duplicate route path "\/mcp\/a" \(also routes\[0\]\)/, 11);
  expect('routes[2]', /needs one of mcp or a2a/, 13);
  assert.equal(problems.length, 6, problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  // In file order, and no secret value in any message.
  assert.deepEqual(
    problems.map((p) => p.line),
    [...problems.map((p) => p.line)].sort((a, b) => a! - b!),
  );
  assert.ok(problems.every((p) => !p.message.includes('too-short-secret')));
});

test('services: one backend each, coherent keys, unique names', () => {
  const problems = problemsOf(`slim: { name: acme/demo/gw, sharedSecret: ${SECRET} }
services:
  - name: acme/demo/a
    mcp: { command: x, url: http://127.0.0.1:1 }
  - name: acme/demo/a
    a2a: { url: http://127.0.0.1:2 }
    mcp: { url: http://127.0.0.1:3, args: [x] }
  - name: acme/demo/gw
  - name: acme/demo/b/0123
    a2a: { url: ftp://x }
  - name: acme/demo/c
    mcp: { command: x }
    spawn: { command: y }
`);
  const messages = problems.map((p) => `${p.path}: ${p.message}`);
  for (const want of [
    /^services\[0\]\.mcp: has both command and url/,
    /^services\[1\]: has both mcp and a2a/,
    /^services\[1\]\.name: duplicate service name "acme\/demo\/a" \(also services\[0\]\)/,
    /^services\[1\]\.mcp\.args: args applies only to a stdio server/,
    /^services\[2\]: needs one of mcp or a2a/,
    /^services\[2\]\.name: "acme\/demo\/gw" is the gateway's own slim.name/,
    /^services\[3\]\.name: .*without an instance id/,
    /^services\[3\]\.a2a\.url: a2a.url must be an http/,
    /^services\[4\]\.spawn: spawn needs a service with a url/,
  ])
    assert.ok(
      messages.some((m) => want.test(m)),
      `missing ${want}\n${messages.join('\n')}`,
    );
});

test('route paths are checked and may not take the probe endpoints', () => {
  const bad = ['mcp/x', '/', '/mcp/x/', '/mcp/../x', '/mcp/a b', '/healthz', '/metrics/x'];
  const yaml = `slim: { name: acme/demo/gw, sharedSecret: ${SECRET} }
routes:
${bad.map((p) => `  - { path: "${p}", mcp: acme/demo/x }`).join('\n')}
  - { path: /readyzz, mcp: acme/demo/x }
  - { path: /mcp/g, mcp: { group: [acme/demo/a, acme/demo/a] } }
  - { path: /mcp/h, mcp: { group: [] } }
`;
  const problems = problemsOf(yaml);
  const paths = problems.map((p) => p.path);
  for (let i = 0; i < bad.length; i++)
    assert.ok(paths.includes(`routes[${i}].path`), `route ${bad[i]} accepted`);
  assert.ok(!paths.includes(`routes[${bad.length}].path`), '/readyzz is a fine path');
  assert.ok(paths.includes(`routes[${bad.length + 1}].mcp.group[1]`));
  assert.ok(paths.includes(`routes[${bad.length + 2}].mcp.group`));
});

test('a route timeoutMs of 0 is a problem naming the route, not a route whose every call fails', () => {
  const problems = problemsOf(`slim: { name: acme/demo/gw, sharedSecret: ${SECRET} }
routes:
  - { path: /mcp/x, mcp: acme/demo/x, timeoutMs: 0 }
  - { path: /mcp/y, mcp: acme/demo/y, timeoutMs: 1 }
`);
  const timeouts = problems.filter((p) => p.path.endsWith('timeoutMs'));
  assert.deepEqual(
    timeouts.map((p) => p.path),
    ['routes[0].timeoutMs'],
  );
  assert.match(timeouts[0]!.message, /at least 1/);
});

test('${VAR:-default} uses the default when VAR is unset or empty, and records it; ${env:VAR} works too', () => {
  const yaml = `slim:
  name: \${GW_NAME:-acme/demo/gw}
  sharedSecret: \${S:-${SECRET}}
  mls: \${MLS:-false}
http:
  listen: 127.0.0.1:\${PORT:-9000}
  maxBodyBytes: \${env:LIMIT}
  allowedHosts: ["\${HOST:-gw.local}", literal-$\${NOT_A_VAR}]
`;
  const c = configFrom(yaml, { GW_NAME: '', LIMIT: '1024', HOST: 'gw.example' });
  assert.equal(formatName(c.slim.name), 'acme/demo/gw');
  assert.deepEqual(c.slim.identity, { kind: 'sharedSecret', secret: SECRET });
  assert.equal(c.slim.mls, false); // an unquoted whole reference takes its value's type
  assert.deepEqual(c.http.listen, { host: '127.0.0.1', port: 9000 });
  assert.equal(c.http.maxBodyBytes, 1024);
  assert.deepEqual(c.http.allowedHosts, ['gw.example', 'literal-${NOT_A_VAR}']);
  assert.deepEqual(
    c.defaultedVariables.map((d) => `${d.variable}@${d.path}`),
    ['GW_NAME@slim.name', 'S@slim.sharedSecret', 'MLS@slim.mls', 'PORT@http.listen'],
  );
});

test('environment values are data: YAML syntax in them does not change the document', () => {
  const tricky = 'abc: def # not a comment, [not, a, list]';
  const c = configFrom(`slim: { name: acme/demo/gw, sharedSecret: "\${S}" }`, { S: `${tricky}-0123456789` });
  assert.deepEqual(c.slim.identity, { kind: 'sharedSecret', secret: `${tricky}-0123456789` });
  // A quoted reference stays a string even when the value looks like a number.
  const problems = problemsOf(`slim: { name: acme/demo/gw, sharedSecret: ${SECRET}, mls: "\${M}" }`, {
    M: 'true',
  });
  assert.deepEqual(
    problems.map((p) => [p.path, p.message]),
    [['slim.mls', 'must be true or false']],
  );
});

test('an unset variable names itself and where it is used; keys are never expanded', () => {
  const problems = problemsOf(`slim:
  name: acme/demo/gw
  sharedSecret: \${NOPE}
  \${KEY}: 1
`);
  assert.deepEqual(
    problems.map((p) => [p.path, p.message, p.line]),
    [
      ['slim.sharedSecret', 'environment variable NOPE is not set (${NOPE} has no default)', 3],
      ['slim["${KEY}"]', 'variables are not expanded in keys', 4],
    ],
  );
});

test('local endpoints stay on loopback unless the file says otherwise', () => {
  const base = `slim: { name: acme/demo/gw, sharedSecret: ${SECRET} }\n`;
  const problems = problemsOf(`${base}http: { listen: 0.0.0.0:8080 }`);
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.path, 'http.listen');
  assert.match(problems[0]!.message, /not a loopback address.*allowNonLoopback/);
  configFrom(`${base}http: { listen: "[::1]:8080" }`);
  configFrom(`${base}http: { listen: localhost:0 }`);
  const c = configFrom(`${base}http: { listen: 0.0.0.0:8080, allowNonLoopback: true }`);
  assert.equal(c.http.listen.host, '0.0.0.0');
});

test('TLS files are read relative to the config file and reported when unreadable', () => {
  const pem = new TextEncoder().encode('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  const files: Record<string, Uint8Array> = {
    '/srv/gw/ca.pem': pem,
    '/etc/c.pem': pem,
    '/etc/k.pem': new Uint8Array([1, 2]),
  };
  const readFile = (p: string) => {
    const f = files[p];
    if (!f) throw new Error(`ENOENT: no such file, open '${p}'`);
    return f;
  };
  const yaml = (tls: string) =>
    `slim: { node: "https://slim.example:443", name: acme/demo/gw, sharedSecret: ${SECRET}, tls: ${tls} }`;
  const ok = parseConfig(yaml('{ caFile: ca.pem }'), { env: {}, baseDir: '/srv/gw', readFile });
  assert.ok(ok.ok);
  assert.equal(ok.config.slim.node.kind === 'remote' && ok.config.slim.node.tls?.ca, pem);

  const bad = parseConfig(yaml('{ caFile: missing.pem, certFile: /etc/c.pem, keyFile: /etc/k.pem }'), {
    env: {},
    baseDir: '/srv/gw',
    readFile,
  });
  assert.ok(!bad.ok);
  assert.deepEqual(
    bad.problems.map((p) => [p.path, p.message.replace(/:.*/, '')]),
    [
      ['slim.tls.caFile', 'cannot read /srv/gw/missing.pem'],
      ['slim.tls.keyFile', '/etc/k.pem is not a PEM file'],
    ],
  );

  const embedded = problemsOf(
    `slim: { name: acme/demo/gw, sharedSecret: ${SECRET}, tls: { certFile: c.pem } }`,
  );
  assert.deepEqual(
    embedded.map((p) => p.path),
    ['slim.tls', 'slim.tls', 'slim.tls.certFile'],
  );
  assert.match(embedded[0]!.message, /only to an https:\/\/ node/);
});

test('YAML syntax errors and empty files are problems with a position', () => {
  const syntax = problemsOf('slim:\n  name: [acme\n');
  assert.ok(syntax.length > 0);
  assert.ok(syntax.every((p) => p.line !== undefined));
  const dup = problemsOf(`slim: { name: acme/demo/gw, sharedSecret: ${SECRET} }\nslim: {}\n`);
  assert.match(dup[0]!.message, /unique/);
  assert.equal(dup[0]!.line, 2);
  assert.match(problemsOf('# nothing here\n')[0]!.message, /empty/);
  assert.deepEqual(
    problemsOf('just a string').map((p) => p.message),
    ['must be a mapping (key: value)'],
  );
});

test('a malformed reference is a problem, not a silent literal', () => {
  const problems = problemsOf(
    `slim: { name: acme/demo/gw, sharedSecret: "\${1BAD}-0123456789-0123456789-0123456789" }`,
  );
  assert.deepEqual(
    problems.map((p) => [p.path, p.message]),
    [['slim.sharedSecret', 'malformed variable reference (use ${NAME} or ${NAME:-default})']],
  );
});
