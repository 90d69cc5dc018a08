// Integration, over real SLIM with MLS (our node and apps): three A2A agents (@a2a-js/sdk, the
// example planner) behind our A2A services, one group route, an @a2a-js/sdk client. SendMessage
// returns all three outcomes, attributed; SendStreamingMessage interleaves their events (each
// agent's second event waits until the client has every agent's first); with one agent's gateway
// gone, the other two answers are intact and the failure is named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message, StreamResponse } from '@a2a-js/sdk';
import { ClientFactory } from '@a2a-js/sdk/client';
import { createA2aIngress, createA2aService } from '../../src/adapters/a2a/index.js';
import { parseName } from '../../src/slim/dataplane/name.js';
import { startPlannerAgent } from '../../examples/agents/planner-agent.js';
import { startEdge } from '../support/a2a-edge.js';
import { untilAborted } from '../support/a2a-chain.js';
import { send } from '../support/a2a-scenarios.js';
import { groupChannels, names, startSlimFabric } from '../support/slim-group.js';

const AGENTS = ['org/ns/red', 'org/ns/green', 'org/ns/blue'];

interface AgentData {
  member: string;
  status: string;
  response?: { message?: { parts: { text?: string }[] } };
}
const agentParts = (m: Message): AgentData[] =>
  m.parts.flatMap((p) => (p.content?.$case === 'data' ? [p.content.value as AgentData] : []));
const memberOf = (ev: StreamResponse) =>
  (ev.payload?.value as { metadata?: Record<string, unknown> } | undefined)?.metadata?.[
    'slim-gateway/member'
  ];

test('three A2A agents behind one group route over real SLIM', { timeout: 180_000 }, async (t) => {
  const fabric = await startSlimFabric();
  t.after(() => fabric.close());
  const firstSeen = new Set<unknown>();
  const wake = new Set<() => void>();
  let lockstep = false;
  const stops = new Map<string, () => Promise<void>>();
  for (const name of AGENTS) {
    const agent = await startPlannerAgent({
      stepDelayMs: 0,
      beforeEvent: async (_t, index, signal) => {
        if (!lockstep || index === 0) return;
        while (firstSeen.size < 3 && !signal.aborted)
          await Promise.race([new Promise<void>((r) => wake.add(r)), untilAborted(signal)]);
      },
    });
    t.after(() => agent.close());
    const service = createA2aService({ name: parseName(name), url: agent.url });
    t.after(() => service.close());
    stops.set(name, await fabric.serve(name, service.services));
  }
  const gateway = await fabric.app('org/ns/gateway');
  const { multicast, memberClient } = groupChannels(gateway, names(...AGENTS));
  t.after(() => multicast.close());
  const ingress = createA2aIngress({
    route: '/a2a/team',
    target: names(...AGENTS),
    client: multicast,
    memberClient,
    timeoutMs: 15_000,
    keepaliveMs: 1_000,
  });
  t.after(() => ingress.close());
  const edge = await startEdge({ '/a2a/team': ingress.handler });
  t.after(() => edge.close());
  const client = await new ClientFactory().createFromUrl(`${edge.url('/a2a/team')}/`);

  await t.test('SendMessage returns all three outcomes, attributed', async () => {
    const data = agentParts((await client.sendMessage(send('hello'))) as Message);
    assert.deepEqual(
      data.map((d) => [d.member, d.status, d.response?.message?.parts[0]?.text]),
      AGENTS.map((a) => [a, 'ok', 'You said: hello']),
    );
  });

  await t.test('SendStreamingMessage interleaves their events', async () => {
    lockstep = true;
    const events: StreamResponse[] = [];
    for await (const ev of client.sendMessageStream(send('plan a trip in 2 steps'))) {
      events.push(ev);
      const m = memberOf(ev);
      if (m && !firstSeen.has(m)) {
        firstSeen.add(m);
        for (const w of [...wake]) w();
        wake.clear();
      }
    }
    lockstep = false;
    for (const a of AGENTS) {
      const mine = events.filter((e) => memberOf(e) === a);
      assert.equal(mine.at(-1)?.payload?.$case, 'statusUpdate', `${a} streamed to its end`);
    }
    assert.match(JSON.stringify(events.at(-1)?.payload?.value), /3 of 3 agents answered/);
  });

  await t.test('one agent down leaves the other two answers intact', async () => {
    await stops.get('org/ns/green')!();
    const data = agentParts((await client.sendMessage(send('still there?'))) as Message);
    assert.deepEqual(
      data.map((d) => [d.member, d.status]),
      [
        ['org/ns/red', 'ok'],
        ['org/ns/green', 'failed'],
        ['org/ns/blue', 'ok'],
      ],
    );
    assert.equal(data[0]?.response?.message?.parts[0]?.text, 'You said: still there?');
    assert.equal(data[2]?.response?.message?.parts[0]?.text, 'You said: still there?');
  });
});
