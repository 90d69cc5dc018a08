// Integration: bursts on one MLS session between two of our apps linked over gRPC to our node.
// 2,000 publishes made in the same tick all arrive, in order; 2,000 unary calls issued in the same
// tick on one SLIMRPC channel whose cap on calls in flight is lifted all complete with their own
// answers. Before the session layer had flow control such a burst killed the session ("data
// retransmissions exhausted"). (The reference Node client hangs in the RPC case,
// docs/slimrpc.md#limits.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GrpcLink } from '../../src/slim/dataplane/grpc-link.js';
import { parseName } from '../../src/slim/dataplane/name.js';
import { SlimNode } from '../../src/slim/node/index.js';
import { createChannel, createRpcServer } from '../../src/slim/rpc/index.js';
import { testService } from '../support/rpc-contract.js';
import { makeApp, nextIncoming, take } from '../support/session-apps.js';

/** Hang guard only (never a timing assertion). */
const HANG_GUARD = { timeout: 600_000 };

const te = new TextEncoder();
const td = new TextDecoder();

/** Two apps on one node; `cleanup` runs first at the end (before the apps and the node go). */
async function twoApps(
  t: { after: (fn: () => unknown) => void },
  prefix: string,
  cleanup: (() => Promise<unknown>)[] = [],
) {
  const node = await SlimNode.create({ listen: '127.0.0.1:0' });
  const a = await makeApp({
    name: `org/ns/${prefix}-a`,
    link: new GrpcLink({ endpoint: node.endpoint! }),
    mls: true,
  });
  const b = await makeApp({
    name: `org/ns/${prefix}-b`,
    link: new GrpcLink({ endpoint: node.endpoint! }),
    mls: true,
  });
  t.after(async () => {
    for (const c of cleanup) await c();
    await Promise.all([a.close(), b.close()]);
    await node.close();
  });
  return { a, b };
}

test(
  '2,000 publishes in one tick on one MLS session over our node: all sent, all received in order',
  HANG_GUARD,
  async (t) => {
    const { a, b } = await twoApps(t, 'burst');
    const incoming = nextIncoming(b);
    const sa = await a.createSession(parseName('org/ns/burst-b'), { kind: 'p2p', mls: true });
    const sb = await incoming;
    const n = 2000;
    const sent = Array.from({ length: n }, (_, i) => `m${i}`);
    const received = take(sb.messages()[Symbol.asyncIterator](), n, 300_000);
    await Promise.all(sent.map((m) => sa.publish(Buffer.from(m))));
    assert.deepEqual(await received, sent);
    await sa.close();
    assert.equal((await sb.closed()).reason, 'remote');
  },
);

test(
  '2,000 concurrent unary calls on one channel with no cap on calls in flight, MLS on, all answered',
  HANG_GUARD,
  async (t) => {
    const cleanup: (() => Promise<unknown>)[] = [];
    const { a: clientApp, b: serverApp } = await twoApps(t, 'many', cleanup);
    const server = createRpcServer(serverApp, { services: [testService()] });
    const channel = createChannel(clientApp, parseName('org/ns/many-b'), {
      maxConcurrentCalls: Number.POSITIVE_INFINITY,
    });
    cleanup.push(
      () => channel.close(),
      () => server.close(),
    );

    const n = 2000;
    const answers = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        channel.unary('test.Contract', 'Echo', te.encode(`#${i}`), {
          metadata: { who: String(i) },
          timeoutMs: 300_000,
        }),
      ),
    );
    answers.forEach((a, i) => assert.equal(td.decode(a), `${i}:#${i}`));
  },
);
