// Unit: agent cards. Reading the SLIMRPC interface under every spelling in use; v0.3 card JSON
// <-> protobuf; v0.3 <-> v1.0 cards (endpoints, extended-card flag, security); the cards the
// egress and the ingress publish.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create, fromJson, toJson } from '@bufbuild/protobuf';
import { formatName, parseName } from '../../src/slim/dataplane/name.js';
import * as v1 from '../../src/adapters/a2a/gen/a2a/v1_0/a2a_pb.js';
import {
  SLIMRPC_BINDING,
  cardJsonV03,
  egressCard,
  isSlimrpcBinding,
  localCardV1,
  parseSlimUrl,
  slimVersionsOf,
  wantsV1,
} from '../../src/adapters/a2a/card.js';
import { cardToV03, cardToV1, majorMinor } from '../../src/adapters/a2a/transcode/card.js';
import { cardFromJson, cardToJson } from '../../src/adapters/a2a/v03-json/card.js';
import { readAgentCard } from '../../src/adapters/a2a/egress/agent-client.js';

const V03_CARD = {
  protocolVersion: '0.3.0',
  name: 'Weather',
  description: 'Forecasts',
  url: 'http://127.0.0.1:9999/rpc',
  preferredTransport: 'JSONRPC',
  additionalInterfaces: [
    { url: 'http://127.0.0.1:9999/rpc', transport: 'JSONRPC' },
    { url: 'http://127.0.0.1:9998', transport: 'GRPC' },
  ],
  provider: { url: 'https://example.com', organization: 'Example' },
  version: '2.1.0',
  documentationUrl: 'https://example.com/docs',
  capabilities: {
    streaming: true,
    pushNotifications: true,
    extensions: [{ uri: 'urn:ext', required: false, description: 'd', params: { a: 1 } }],
  },
  securitySchemes: {
    key: { type: 'apiKey', in: 'header', name: 'X-Key', description: 'a key' },
    bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    oauth: { type: 'oauth2', flows: { clientCredentials: { scopes: { read: 'r' }, tokenUrl: 'https://t' } } },
    oidc: { type: 'openIdConnect', openIdConnectUrl: 'https://o/.well-known/openid-configuration' },
    mtls: { type: 'mutualTLS' },
  },
  security: [{ bearer: [] }, { oauth: ['read'] }],
  defaultInputModes: ['text/plain'],
  defaultOutputModes: ['text/plain', 'application/json'],
  skills: [{ id: 's', name: 'S', description: 'D', tags: ['t'], examples: ['e'], security: [{ key: [] }] }],
  supportsAuthenticatedExtendedCard: true,
  signatures: [{ protected: 'p', signature: 's', header: { kid: '1' } }],
};

test('the SLIMRPC binding is recognised under all three spellings; the spec one is emitted', () => {
  for (const b of [SLIMRPC_BINDING, `${SLIMRPC_BINDING}/v1`, 'slimrpc', 'SLIMRPC', `${SLIMRPC_BINDING}/`])
    assert.ok(isSlimrpcBinding(b), b);
  assert.ok(!isSlimrpcBinding('JSONRPC'));
  assert.equal(SLIMRPC_BINDING, 'https://a2a-protocol.org/bindings/experimental-slimrpc');
});

test('SLIM interface URLs: slim://[host[:port]/]org/ns/name and bare org/ns/name', () => {
  for (const url of [
    'slim://acme/demo/planner',
    'slim://node.example:46357/acme/demo/planner',
    'acme/demo/planner',
  ])
    assert.equal(formatName(parseSlimUrl(url)!), 'acme/demo/planner', url);
  for (const bad of ['slim://acme/demo', 'http://x/y', 'a/b/c/d/e', 'slim://a b/c/d'])
    assert.equal(parseSlimUrl(bad), undefined, bad);
});

test('v0.3 card JSON survives the v0.3 protobuf, except what the proto lacks', () => {
  const back = cardToJson(cardFromJson(V03_CARD));
  assert.deepEqual(back, V03_CARD);
  const lossy = cardToJson(
    cardFromJson({ ...V03_CARD, iconUrl: 'https://i', capabilities: { stateTransitionHistory: true } }),
  );
  assert.equal(lossy['iconUrl'], undefined);
  assert.deepEqual(lossy['capabilities'], {});
});

test('v0.3 card -> v1.0: endpoints become supportedInterfaces; the extended-card flag moves to capabilities', () => {
  const card = cardToV1(cardFromJson(V03_CARD));
  assert.deepEqual(
    card.supportedInterfaces.map((i) => [i.url, i.protocolBinding, i.protocolVersion]),
    [
      ['http://127.0.0.1:9999/rpc', 'JSONRPC', '0.3'],
      ['http://127.0.0.1:9998', 'GRPC', '0.3'],
    ],
  );
  assert.equal(card.capabilities?.extendedAgentCard, true);
  assert.deepEqual(Object.keys(card.securitySchemes).sort(), ['bearer', 'key', 'mtls', 'oauth', 'oidc']);
  assert.equal(card.securitySchemes['key']!.scheme.case, 'apiKeySecurityScheme');
  assert.deepEqual(card.securityRequirements[1]!.schemes['oauth']!.list, ['read']);
  assert.deepEqual(card.skills[0]!.securityRequirements[0]!.schemes['key']!.list, []);
  // And back: the v0.3 card a v0.3 peer gets.
  const again = cardToJson(cardToV03(card));
  assert.equal(again['url'], 'http://127.0.0.1:9999/rpc');
  assert.deepEqual(again['securitySchemes'], V03_CARD.securitySchemes);
  assert.deepEqual(again['security'], V03_CARD.security);
  assert.equal(again['supportsAuthenticatedExtendedCard'], true);
});

test('reading an agent card of either version tells which JSON-RPC versions it speaks', () => {
  assert.deepEqual([...readAgentCard(V03_CARD).versions], ['0.3']);
  const card = {
    name: 'x',
    description: 'y',
    version: '1',
    capabilities: {},
    skills: [],
    supportedInterfaces: [
      { url: 'http://h', protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
      { url: 'http://h', protocolBinding: 'jsonrpc', protocolVersion: '0.3' },
      { url: 'http://h', protocolBinding: 'GRPC', protocolVersion: '1.0' },
    ],
  };
  assert.deepEqual([...readAgentCard(card).versions].sort(), ['0.3', '1.0']);
  assert.equal(majorMinor('0.3.0'), '0.3');
  assert.equal(majorMinor('1'), '1.0');
});

test('the egress card names the SLIM service (both versions) instead of the agent URLs', () => {
  const agent = cardToV1(cardFromJson(V03_CARD));
  const published = egressCard(agent, parseName('acme/demo/weather'));
  assert.deepEqual(
    published.supportedInterfaces.map((i) => [i.url, i.protocolBinding, i.protocolVersion]),
    [
      ['slim://acme/demo/weather', SLIMRPC_BINDING, '1.0'],
      ['slim://acme/demo/weather', SLIMRPC_BINDING, '0.3'],
    ],
  );
  assert.equal(agent.supportedInterfaces[0]!.url, 'http://127.0.0.1:9999/rpc', 'the input is not modified');
});

test('the local card: JSON-RPC 1.0 and 0.3 at the route, then SLIMRPC; v0.3 form carries both shapes', () => {
  const remote = fromJson(v1.AgentCardSchema, {
    name: 'P',
    description: 'D',
    version: '1',
    supportedInterfaces: [{ url: 'slim://acme/demo/p', protocolBinding: 'slimrpc', protocolVersion: '1.0' }],
    capabilities: { streaming: true },
  });
  const base = 'https://gw.example/a2a/p';
  const local = localCardV1(remote, base, parseName('acme/demo/p'));
  assert.deepEqual(
    local.supportedInterfaces.map((i) => [i.url, i.protocolBinding, i.protocolVersion]),
    [
      [base, 'JSONRPC', '1.0'],
      [base, 'JSONRPC', '0.3'],
      ['slim://acme/demo/p', SLIMRPC_BINDING, '1.0'],
      ['slim://acme/demo/p', SLIMRPC_BINDING, '0.3'],
    ],
  );
  const v03 = cardJsonV03(local);
  assert.equal(v03['url'], base);
  assert.equal(v03['preferredTransport'], 'JSONRPC');
  assert.deepEqual(
    v03['supportedInterfaces'],
    (toJson(v1.AgentCardSchema, local) as Record<string, unknown>)['supportedInterfaces'],
  );
  assert.ok(wantsV1('1.0') && wantsV1('1') && !wantsV1(undefined) && !wantsV1('0.3'));
  assert.equal(create(v1.AgentCardSchema).supportedInterfaces.length, 0);
});

test("remote SLIMRPC interfaces: the target's are replaced, other names kept in the spec's spelling", () => {
  const remote = fromJson(v1.AgentCardSchema, {
    name: 'P',
    supportedInterfaces: [
      { url: 'acme/demo/p', protocolBinding: 'slimrpc', protocolVersion: '0.3' },
      {
        url: 'slim://node:46357/acme/other/p',
        protocolBinding: `${SLIMRPC_BINDING}/v1`,
        protocolVersion: '1.0',
      },
      { url: 'http://10.0.0.5:9999', protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
    ],
  });
  const target = parseName('acme/demo/p');
  const local = localCardV1(remote, 'http://127.0.0.1:8080/a2a/p', target);
  assert.deepEqual(
    local.supportedInterfaces.slice(4).map((i) => [i.url, i.protocolBinding, i.protocolVersion]),
    [['slim://acme/other/p', SLIMRPC_BINDING, '1.0']],
  );
  assert.equal(local.supportedInterfaces.length, 5);
  assert.deepEqual([...slimVersionsOf(remote, target)], ['0.3']);
  assert.deepEqual([...slimVersionsOf(remote, parseName('acme/nobody/x'))], []);
});
