// Component: the agent card a local client fetches from the route. It is the remote agent's card
// (fetched over SLIM), valid for both SDK generations, pointing at the local route (also behind
// X-Forwarded-*), and naming the SLIMRPC interface of the target.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isLegacyAgentCard, parseLegacyAgentCard } from '@a2a-js/sdk/compat/v0_3/client';
import { SLIMRPC_BINDING } from '../../src/adapters/a2a/index.js';
import { startChain } from '../support/a2a-chain.js';
import type { Chain } from '../support/a2a-chain.js';
import { fetchCard as card, localCardV1 } from '../support/a2a-scenarios.js';

describe('the agent card at the route', () => {
  let chain: Chain;
  before(async () => {
    chain = await startChain({ agent: { versions: ['1.0', '0.3'] } });
  });
  after(() => chain.close());

  test('v1.0 (A2A-Version: 1.0): valid, JSON-RPC 1.0 and 0.3 at the route, then the SLIMRPC interface', async () => {
    await localCardV1(chain);
  });

  test('v0.3 (no A2A-Version): url, preferredTransport and additionalInterfaces (each endpoint once) point at the route', async () => {
    const json = await card(chain, '/.well-known/agent-card.json');
    assert.equal(json['url'], chain.url);
    assert.equal(json['preferredTransport'], 'JSONRPC');
    assert.equal(json['protocolVersion'], '0.3.0');
    assert.deepEqual(json['additionalInterfaces'], [
      { url: chain.url, transport: 'JSONRPC' },
      { url: 'slim://acme/demo/planner', transport: SLIMRPC_BINDING },
    ]);
    // A v1.0 reader of the same document still finds supportedInterfaces.
    assert.equal(isLegacyAgentCard(json), false);
    const { supportedInterfaces, ...v03Only } = json;
    assert.ok(supportedInterfaces);
    const legacy = parseLegacyAgentCard(v03Only);
    assert.equal(legacy.supportedInterfaces[0]!.url, chain.url);
    assert.match(legacy.supportedInterfaces[0]!.protocolVersion, /^0\.3/);
  });

  test('the legacy agent.json path serves the same card', async () => {
    const a = await card(chain, '/.well-known/agent.json', { 'A2A-Version': '1.0' });
    const b = await card(chain, '/.well-known/agent-card.json', { 'A2A-Version': '1.0' });
    assert.deepEqual(a, b);
  });

  test('behind a proxy, URLs follow X-Forwarded-Proto, -Host and -Prefix', async () => {
    const headers = {
      'A2A-Version': '1.0',
      'X-Forwarded-Proto': 'https',
      'X-Forwarded-Host': 'agents.example.com',
      'X-Forwarded-Prefix': '/gw',
    };
    const json = await card(chain, '/.well-known/agent-card.json', headers);
    const external = 'https://agents.example.com/gw/a2a/planner';
    assert.deepEqual(
      json.supportedInterfaces!.filter((i) => i['protocolBinding'] === 'JSONRPC').map((i) => i['url']),
      [external, external],
    );
    const v03 = await card(chain, '/.well-known/agent-card.json', { ...headers, 'A2A-Version': '0.3' });
    assert.equal(v03['url'], external);
  });
});
