// Unit: the access rules' building blocks: name patterns (`*` within a segment, `**` for whole
// segments), the MCP tool filter (lists and calls), and the configuration keys that carry them
// (services[].allow, services[].tools, routes[].tools), with their load-time errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calledTool, compileToolFilter } from '../../src/adapters/mcp/tool-filter.js';
import { describeBackend } from '../../src/gateway/service-unit.js';
import { claimedName } from '../../src/slim/auth/index.js';
import { compilePattern, compilePatterns, patternProblem } from '../../src/util/name-pattern.js';
import { SECRET, configFrom, problemsOf } from '../support/config.js';

test('name patterns: * stays within one segment, ** spans whole segments, the rest is literal', () => {
  const cases: [string, string, boolean][] = [
    ['acme/clients/*', 'acme/clients/app', true],
    ['acme/clients/*', 'acme/clients/a/b', false],
    ['acme/clients/*', 'acme/clientsx/app', false],
    ['acme/ops/dashboard', 'acme/ops/dashboard', true],
    ['acme/ops/dashboard', 'acme/ops/dashboard2', false],
    ['acme/ops/dashboard', 'Acme/ops/dashboard', false],
    ['acme/*/gw-*', 'acme/demo/gw-1', true],
    ['acme/*/gw-*', 'acme/demo/x-gw-1', false],
    ['acme/**', 'acme', true],
    ['acme/**', 'acme/x/y/z', true],
    ['acme/**', 'acmex/y', false],
    ['**/app', 'app', true],
    ['**/app', 'a/b/app', true],
    ['**/app', 'a/bapp', false],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['a/**/b', 'ax/b', false],
    ['**', 'anything/at/all', true],
    ['get_*', 'get_forecast', true],
    ['get_*', 'delete_forecast', false],
    ['a.b', 'axb', false],
    ['a+b', 'a+b', true],
  ];
  for (const [pattern, name, want] of cases)
    assert.equal(compilePattern(pattern)(name), want, `${pattern} on ${name}`);
  assert.equal(compilePatterns(['x', 'acme/*/y'])('acme/q/y'), true);
  assert.equal(compilePatterns(['x', 'acme/*/y'])('acme/q/z'), false);
  assert.match(patternProblem('a**b/c') ?? '', /\*\* must be a whole segment/);
  assert.match(patternProblem('') ?? '', /empty/);
  assert.match(patternProblem('a b') ?? '', /white space/);
  assert.throws(() => compilePattern('x/**y'), /whole segment/);
});

test('a shared-secret token id claims the name before its instance suffix', () => {
  assert.equal(claimedName('acme/clients/app_Ab3dE6gH'), 'acme/clients/app');
  assert.equal(claimedName('acme/clients/my_app_Ab3dE6gH'), 'acme/clients/my_app');
});

test('tool filter: lists lose what is not offered, calls to it are refused naming the rule', () => {
  assert.equal(compileToolFilter(undefined, 'x'), undefined);
  assert.equal(compileToolFilter({}, 'x'), undefined);
  const f = compileToolFilter({ allow: ['get_*'], deny: ['get_secret'] }, 'MCP service acme/demo/weather')!;
  assert.equal(f.permits('get_forecast'), true);
  assert.equal(f.permits('get_secret'), false);
  assert.equal(f.permits('delete_forecast'), false);
  const list = JSON.stringify({
    jsonrpc: '2.0',
    id: 3,
    result: { tools: [{ name: 'get_forecast' }, { name: 'get_secret' }, { name: 'delete_forecast' }], x: 1 },
  });
  const filtered = JSON.parse(f.filterList(list)) as {
    id: number;
    result: { tools: { name: string }[]; x: number };
  };
  assert.deepEqual(
    filtered.result.tools.map((t) => t.name),
    ['get_forecast'],
  );
  assert.equal(filtered.result.x, 1, 'other members are kept');
  assert.equal(filtered.id, 3);
  const untouched = JSON.stringify({ jsonrpc: '2.0', id: 4, result: { tools: [{ name: 'get_a' }] } });
  assert.equal(f.filterList(untouched), untouched, 'nothing filtered: the text is relayed as written');
  assert.equal(f.filterList('not json'), 'not json');

  const call = { jsonrpc: '2.0' as const, id: 9, method: 'tools/call', params: { name: 'get_secret' } };
  assert.equal(calledTool(call), 'get_secret');
  assert.equal(calledTool({ jsonrpc: '2.0', id: 1, method: 'tools/list' }), undefined);
  const refusal = f.refusal(call, 'get_secret');
  assert.equal(refusal.id, 9);
  assert.equal(refusal.error.code, -32602);
  assert.match(
    refusal.error.message,
    /get_secret is not available: denied by the tools filter of MCP service acme\/demo\/weather/,
  );
  assert.match(f.refusal(call, 'delete_forecast').error.message, /not allowed by/);
});

test('config: allow and tools on services and routes, with their load-time errors', () => {
  const config = configFrom(`slim: { name: acme/demo/gw, sharedSecret: ${SECRET} }
services:
  - name: acme/demo/weather
    mcp: { command: node }
    allow: [acme/clients/*, acme/ops/dashboard]
    tools: { allow: ['get_*'], deny: [delete_forecast] }
  - name: acme/demo/planner
    a2a: { url: http://127.0.0.1:9 }
    allow: ['acme/**']
routes:
  - path: /mcp/weather
    mcp: acme/demo/weather
    tools: { deny: [delete_forecast] }
`);
  const [weather, planner] = config.services;
  assert.deepEqual(weather!.allow, ['acme/clients/*', 'acme/ops/dashboard']);
  assert.ok(weather?.kind === 'mcp');
  assert.deepEqual(weather.tools, { allow: ['get_*'], deny: ['delete_forecast'] });
  assert.deepEqual(planner!.allow, ['acme/**']);
  assert.equal(
    describeBackend(weather),
    'MCP stdio server: node; callers: acme/clients/*, acme/ops/dashboard; tools: allow get_*; deny delete_forecast',
  );
  assert.equal(describeBackend(planner!), 'A2A agent http://127.0.0.1:9; callers: acme/**');
  assert.deepEqual(config.routes[0]!.tools, { deny: ['delete_forecast'] });
  assert.equal(
    configFrom(`slim: { name: acme/demo/gw, sharedSecret: ${SECRET} }
services: [{ name: acme/demo/x, mcp: { command: node } }]`).services[0]!.allow,
    undefined,
  );

  const messages = problemsOf(`slim: { name: acme/demo/gw, sharedSecret: ${SECRET} }
services:
  - name: acme/demo/a
    a2a: { url: http://127.0.0.1:9 }
    allow: []
    tools: { deny: [x] }
  - name: acme/demo/b
    mcp: { command: node }
    allow: ['acme/x**']
    tools: { deny: [x], block: [y] }
routes:
  - { path: /a2a/a, a2a: acme/demo/a, tools: { deny: [x] } }
`).map((p) => `${p.path}: ${p.message}`);
  for (const want of [
    /^services\[0\]\.allow: allow needs at least one pattern/,
    /^services\[0\]\.tools: tools applies only to an MCP service/,
    /^services\[1\]\.allow\[0\]: .*\*\* must be a whole segment/,
    /^services\[1\]\.tools\.block: unknown key/,
    /^routes\[0\]\.tools: tools applies only to an MCP route/,
  ])
    assert.ok(
      messages.some((m) => want.test(m)),
      `missing ${want}\n${messages.join('\n')}`,
    );
});
