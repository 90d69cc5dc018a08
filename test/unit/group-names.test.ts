// Unit: how a group names its members' tools, prompts, resources and tasks
// (src/adapters/group/names.ts): predictable from the SLIM name, stable when other members come
// and go, always within MCP's tool-name rule, collisions resolved deterministically.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fanoutName,
  memberPrefixes,
  prefixedId,
  prefixedName,
  prefixedUri,
  sanitizePrefix,
  shortHash,
  splitPrefixedId,
  splitPrefixedUri,
  TOOL_NAME_RE,
} from '../../src/adapters/group/names.js';
import { parseName } from '../../src/slim/dataplane/name.js';

const prefixes = (...names: string[]) => Object.fromEntries(memberPrefixes(names.map(parseName)));

test('a member prefix is its app component, sanitized', () => {
  assert.deepEqual(prefixes('acme/demo/weather', 'acme/demo/my_server.v2', 'acme/demo/9lives'), {
    'acme/demo/weather': 'weather',
    'acme/demo/my_server.v2': 'my-server-v2',
    'acme/demo/9lives': 'm9lives',
  });
  assert.equal(sanitizePrefix('__x__'), 'x');
  assert.equal(sanitizePrefix('_'), 'm');
});

test('prefixes do not change when a non-colliding member joins or leaves', () => {
  const before = prefixes('acme/demo/weather', 'acme/demo/files');
  const after = prefixes('acme/demo/weather', 'acme/demo/files', 'other/ns/planner');
  assert.equal(after['acme/demo/weather'], before['acme/demo/weather']);
  assert.equal(after['acme/demo/files'], before['acme/demo/files']);
  assert.equal(prefixes('acme/demo/weather')['acme/demo/weather'], 'weather', 'prefixed even alone');
});

test('colliding prefixes take the namespace, then the organization, then a hash', () => {
  assert.deepEqual(prefixes('acme/eu/weather', 'acme/us/weather', 'acme/eu/files'), {
    'acme/eu/weather': 'eu-weather',
    'acme/us/weather': 'us-weather',
    'acme/eu/files': 'files',
  });
  assert.deepEqual(prefixes('a/x/weather', 'b/x/weather'), {
    'a/x/weather': 'a-x-weather',
    'b/x/weather': 'b-x-weather',
  });
  // Only sanitization differs: the last level adds a hash of the full name.
  const p = prefixes('a/x/w.1', 'a/x/w_1');
  assert.notEqual(p['a/x/w.1'], p['a/x/w_1']);
  assert.ok(p['a/x/w.1']!.endsWith(shortHash('a/x/w.1')));
});

test('collisions are case-insensitive (URI schemes are), and "all" is reserved', () => {
  const p = prefixes('acme/a/Weather', 'acme/b/weather');
  assert.deepEqual(p, { 'acme/a/Weather': 'a-Weather', 'acme/b/weather': 'b-weather' });
  assert.equal(prefixes('acme/demo/all')['acme/demo/all'], 'demo-all');
  assert.equal(prefixes('acme/demo/ALL')['acme/demo/ALL'], 'demo-ALL');
});

test("a prefix escalated into another member's prefix escalates that one too", () => {
  // acme/foo/bar collides with x/y/bar and becomes "foo-bar", which z/w/foo-bar already is.
  const p = prefixes('acme/foo/bar', 'x/y/bar', 'z/w/foo-bar');
  assert.equal(new Set(Object.values(p).map((s) => s.toLowerCase())).size, 3, JSON.stringify(p));
});

test('long app names are capped at 24 characters with a hash of the full name', () => {
  const name = 'acme/demo/a-really-long-application-name-for-a-server';
  const p = prefixes(name)[name]!;
  assert.ok(p.length <= 24, p);
  assert.ok(p.endsWith(shortHash(name)));
  assert.equal(prefixes(name, 'acme/demo/x')[name], p, 'stable');
});

test('tool names: <prefix>_<name>, always within ^[a-zA-Z0-9_-]{1,64}$', () => {
  assert.equal(prefixedName('weather', 'get_forecast'), 'weather_get_forecast');
  assert.equal(prefixedName('everything', 'get-sum'), 'everything_get-sum');
  const dotted = prefixedName('files', 'files.read');
  assert.equal(dotted, `files_files_read-${shortHash('files.read')}`);
  assert.notEqual(prefixedName('files', 'files.read'), prefixedName('files', 'files_read'));
  const long = prefixedName('weather', 'x'.repeat(80));
  assert.equal(long.length, 64);
  assert.ok(long.endsWith(`-${shortHash('x'.repeat(80))}`));
  assert.notEqual(prefixedName('weather', 'x'.repeat(80)), prefixedName('weather', 'x'.repeat(81)));
  for (const tool of ['a', 'a.b', 'ä', 'x'.repeat(200), 'with space', 'slash/y', 'emoji🙂', '-'])
    for (const prefix of ['w', 'x'.repeat(24), 'm9lives'])
      assert.match(prefixedName(prefix, tool), TOOL_NAME_RE, `${prefix} + ${tool}`);
  assert.equal(fanoutName('echo'), 'all_echo');
  assert.match(fanoutName('ns.tool.with.dots'), TOOL_NAME_RE);
});

test('resource URIs and task ids carry the prefix and split back exactly', () => {
  for (const uri of ['file:///README.md', 'svn+ssh://host/repo', 'demo://resource/{id}', 'a:b+c']) {
    const presented = prefixedUri('files', uri);
    assert.deepEqual(splitPrefixedUri(presented), { prefix: 'files', uri });
  }
  assert.equal(splitPrefixedUri('no-plus-here'), undefined);
  assert.equal(splitPrefixedUri('+x'), undefined);
  for (const id of ['t1', 'task:with:colons', '']) {
    assert.deepEqual(splitPrefixedId(prefixedId('red', id)), { prefix: 'red', id });
  }
  assert.equal(splitPrefixedId('plain'), undefined);
});
