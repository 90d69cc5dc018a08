// Component: batched socket writes on the node and on our link (docs/dataplane.md#grpc-service, "Socket writes"),
// with our gRPC links on 127.0.0.1. Bursts that the node forwards in one event-loop turn reach the
// receiver complete and in order, also when a burst is larger than the HTTP/2 flow-control window;
// every connection of the node and every link uses the batched path (this fails if a grpc-js
// upgrade hides the HTTP/2 stream and they silently fall back to one write per frame).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SlimNode } from '../../src/slim/node/index.js';
import { GrpcLink } from '../../src/slim/dataplane/grpc-link.js';
import { makeName } from '../../src/slim/dataplane/name.js';
import { Inbox, publishFrame } from '../support/dataplane.js';

const alice = makeName('org', 'ns', 'alice', 0xa1n);
const bob = makeName('org', 'ns', 'bob', 0xb1n);

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const node = await SlimNode.create({ listen: '127.0.0.1:0' });
  const links: GrpcLink[] = [];
  const local = node.connectInProcess();
  t.after(async () => {
    await Promise.all([...links.map((l) => l.close()), local.close()]);
    await node.close();
  });
  const link = async (name: typeof alice) => {
    const l = new GrpcLink({ endpoint: node.endpoint! });
    links.push(l);
    const inbox = new Inbox(l);
    await l.start();
    await l.subscribe(name, { source: name });
    return { link: l, inbox };
  };
  await local.start();
  return { node, a: await link(alice), b: await link(bob), local };
}

test(
  'a burst of 500 frames forwarded in one go arrives complete and in order',
  { timeout: 60_000 },
  async (t) => {
    const { node, a, b, local } = await setup(t);
    assert.equal(node.stats().connections, 3);
    assert.equal(node.stats().batchedConnections, 2, 'both gRPC connections write in batches');
    assert.ok(a.link.batchedWrites && b.link.batchedWrites, 'both links write in batches');
    const sent = Array.from({ length: 500 }, (_, i) => `m-${i}`);
    // Half over the gRPC link, half from an in-process link in the same turn: the receiver's
    // connection gets them interleaved, in the order the node forwarded them.
    // The link's frames of this turn leave together too: the node reads them as one burst.
    const writes = sent.map((text, i) =>
      (i % 2 === 0 ? a.link : local).publish(publishFrame(alice, bob, text)),
    );
    await Promise.all(writes);
    await b.inbox.until((x) => x.length >= sent.length, 'the whole burst');
    const fromLink = b.inbox.texts.filter((x) => Number(x.slice(2)) % 2 === 0);
    const fromLocal = b.inbox.texts.filter((x) => Number(x.slice(2)) % 2 === 1);
    assert.deepEqual(
      fromLink,
      sent.filter((_, i) => i % 2 === 0),
      'gRPC ingress order kept',
    );
    assert.deepEqual(
      fromLocal,
      sent.filter((_, i) => i % 2 === 1),
      'in-process ingress order kept',
    );
    assert.equal(b.inbox.texts.length, sent.length, 'nothing duplicated');
    // A header MAC on every frame: batching did not change a byte the receiver verifies.
    assert.equal(b.link.headerMacActive, true);
  },
);

test('a burst larger than the HTTP/2 flow-control window arrives whole', { timeout: 60_000 }, async (t) => {
  const { a, b } = await setup(t);
  const big = (i: number) => `${i}:`.padEnd(200 * 1024, String.fromCharCode(97 + (i % 26)));
  const sent = Array.from({ length: 12 }, (_, i) => big(i)); // 2.4 MB, the window is 1 MiB
  await Promise.all(sent.map((text) => a.link.publish(publishFrame(alice, bob, text))));
  await b.inbox.until((x) => x.length >= sent.length, 'the large burst');
  assert.deepEqual(b.inbox.texts, sent);
});
