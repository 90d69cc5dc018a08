// A2A through the adapter: an @a2a-js/sdk client calling the example agent through a local route,
// the A2A SLIMRPC binding (in-memory SLIMRPC network: adapter cost only, no SLIM sessions) and
// the A2A service, against the same client calling the agent directly, in the same run.
import { performance } from 'node:perf_hooks';
import { ClientFactory } from '@a2a-js/sdk/client';
import type { Client } from '@a2a-js/sdk/client';
import type { Bench, Measurement } from './harness.js';
import { summarize } from './harness.js';
import { startChain } from '../test/support/a2a-chain.js';
import { send } from '../test/support/a2a-scenarios.js';

async function timeCalls(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 20; i++) await fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return samples;
}

async function drain(client: Client, text: string): Promise<void> {
  for await (const _ of client.sendMessageStream(send(text))) void _;
}

export const benches: Bench[] = [
  {
    name: 'a2a-adapter',
    async run(): Promise<Measurement[]> {
      const chain = await startChain({ agent: { extendedCard: false }, serviceCardTtlMs: 30_000 });
      try {
        const direct = await new ClientFactory().createFromUrl(`${chain.agent.url}/`);
        const routed = await new ClientFactory().createFromUrl(`${chain.url}/`);
        const out: Measurement[] = [];
        for (const [label, fn] of [
          ['SendMessage (message answer)', (c: Client) => c.sendMessage(send('hello'))],
          ['SendStreamingMessage, 10-step plan (23 events)', (c: Client) => drain(c, 'plan x in 10 steps')],
        ] as const) {
          const ours = summarize(await timeCalls(200, () => fn(routed)));
          const peer = summarize(await timeCalls(200, () => fn(direct)));
          out.push({
            name: `${label} p50`,
            unit: 'ms',
            ours: ours.p50,
            peer: peer.p50,
            peerLabel: 'direct',
            better: 'lower',
          });
          out.push({
            name: `${label} p99`,
            unit: 'ms',
            ours: ours.p99,
            peer: peer.p99,
            peerLabel: 'direct',
            better: 'lower',
          });
        }
        return out;
      } finally {
        await chain.close();
      }
    },
  },
];
