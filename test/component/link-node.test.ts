// Component: our gRPC link against our node on 127.0.0.1 (real gRPC, real negotiation and header
// MACs), plus in-process links on the same node. Routing as an app sees it: unicast to an exact
// id, anycast to the NULL id, multicast; unsubscribe; frames left unchanged for the caller.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SlimNode } from '../../src/slim/node/index.js';
import { GrpcLink } from '../../src/slim/dataplane/grpc-link.js';
import { makeName } from '../../src/slim/dataplane/name.js';
import type { Link } from '../../src/slim/dataplane/link.js';
import { Inbox, publishFrame } from '../support/dataplane.js';

const alice = makeName('org', 'ns', 'alice', 0xa1n);
const bob1 = makeName('org', 'ns', 'bob', 0xb1n);
const bob2 = makeName('org', 'ns', 'bob', 0xb2n);
const anyBob = makeName('org', 'ns', 'bob');
const chat = makeName('org', 'ns', 'chat', 0xc0n);

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const node = await SlimNode.create({ listen: '127.0.0.1:0' });
  const links: Link[] = [];
  t.after(async () => {
    await Promise.all(links.map((l) => l.close()));
    await node.close();
  });
  const grpcLink = async (name: typeof alice) => {
    const link = new GrpcLink({ endpoint: node.endpoint! });
    links.push(link);
    const inbox = new Inbox(link);
    await link.start();
    await link.subscribe(name, { source: name });
    return { link, inbox };
  };
  const localLink = async (name: typeof alice) => {
    const link = node.connectInProcess();
    links.push(link);
    const inbox = new Inbox(link);
    await link.start();
    await link.subscribe(name, { source: name });
    return { link, inbox };
  };
  return { node, grpcLink, localLink };
}

test('unicast, anycast and multicast between gRPC links, with header MACs on every link', async (t) => {
  const { node, grpcLink } = await setup(t);
  const a = await grpcLink(alice);
  const b1 = await grpcLink(bob1);
  const b2 = await grpcLink(bob2);
  await b1.link.subscribe(chat, { source: bob1 });
  await b2.link.subscribe(chat, { source: bob2 });
  assert.ok((a.link as GrpcLink).headerMacActive);

  await a.link.publish(publishFrame(alice, bob2, 'to-b2'));
  await b2.inbox.until((x) => x.includes('to-b2'), 'unicast');

  for (let i = 0; i < 4; i++) await a.link.publish(publishFrame(alice, anyBob, `any-${i}`));
  await b1.inbox.until(() => b1.inbox.texts.length + b2.inbox.texts.length >= 5, 'anycast');
  const anyTo1 = b1.inbox.texts.filter((x) => x.startsWith('any-')).length;
  const anyTo2 = b2.inbox.texts.filter((x) => x.startsWith('any-')).length;
  assert.equal(anyTo1 + anyTo2, 4, 'each anycast frame reaches exactly one instance');
  assert.equal(anyTo1, 2, 'round robin between the two instances');

  await a.link.publish(publishFrame(alice, chat, 'to-all', 256));
  await b1.inbox.until((x) => x.includes('to-all'), 'multicast b1');
  await b2.inbox.until((x) => x.includes('to-all'), 'multicast b2');
  assert.equal(b1.inbox.texts.filter((x) => x === 'to-all').length, 1);
  assert.equal(b1.inbox.texts.includes('to-b2'), false, 'unicast reached only its target');

  const got = b2.inbox.frames.find((f) => f.messageType.case === 'publish')!;
  const h = got.messageType.case === 'publish' ? got.messageType.value.header! : undefined;
  assert.equal(h?.ttl, 7, 'TTL decremented by the node');
  assert.equal(h?.recvFrom, undefined);
  assert.equal(h?.forwardTo, undefined);
  assert.equal(node.stats().connections, 3);
});

test('the multicast sender does not get its own frame; a sender subscribed to the channel is excluded', async (t) => {
  const { grpcLink } = await setup(t);
  const a = await grpcLink(alice);
  const b = await grpcLink(bob1);
  await a.link.subscribe(chat, { source: alice });
  await b.link.subscribe(chat, { source: bob1 });
  await a.link.publish(publishFrame(alice, chat, 'm1', 256));
  await a.link.publish(publishFrame(alice, bob1, 'marker'));
  await b.inbox.until((x) => x.includes('m1') && x.includes('marker'), 'multicast and marker');
  await b.link.publish(publishFrame(bob1, alice, 'marker-back'));
  await a.inbox.until((x) => x.includes('marker-back'), 'marker back');
  assert.equal(a.inbox.has('m1'), false);
});

test('in-process links and gRPC links reach each other through the same node', async (t) => {
  const { grpcLink, localLink } = await setup(t);
  const a = await localLink(alice);
  const b = await grpcLink(bob1);
  await a.link.publish(publishFrame(alice, bob1, 'local-to-grpc'));
  await b.inbox.until((x) => x.includes('local-to-grpc'), 'local to grpc');
  await b.link.publish(publishFrame(bob1, alice, 'grpc-to-local'));
  await a.inbox.until((x) => x.includes('grpc-to-local'), 'grpc to local');
  const f = a.inbox.frames[0]!;
  assert.equal(
    f.messageType.case === 'publish' && f.messageType.value.header?.headerMac,
    undefined,
    'no MAC in process',
  );
});

test('after unsubscribe a name gets nothing more; subscriptions are reference-counted', async (t) => {
  const { grpcLink } = await setup(t);
  const a = await grpcLink(alice);
  const b = await grpcLink(bob1);
  await b.link.subscribe(chat, { source: bob1 });
  await b.link.subscribe(chat, { source: bob1 }); // second reference
  await b.link.unsubscribe(chat, { source: bob1 });
  await a.link.publish(publishFrame(alice, chat, 'still', 256));
  await b.inbox.until((x) => x.includes('still'), 'one reference left');
  await b.link.unsubscribe(chat, { source: bob1 });
  await a.link.publish(publishFrame(alice, chat, 'gone', 256));
  await a.link.publish(publishFrame(alice, bob1, 'after'));
  await b.inbox.until((x) => x.includes('after'), 'marker after unsubscribe');
  assert.equal(b.inbox.has('gone'), false);
});

test('publish leaves the caller frame unchanged and refuses a non-publish frame', async (t) => {
  const { grpcLink } = await setup(t);
  const a = await grpcLink(alice);
  const frame = publishFrame(alice, bob1, 'x');
  const h = frame.messageType.case === 'publish' ? frame.messageType.value.header! : undefined;
  h!.forwardTo = 5n;
  await a.link.publish(frame);
  assert.equal(h!.forwardTo, 5n);
  assert.equal(h!.headerMac, undefined);
  assert.equal(h!.ttl, 0);
  const notPublish = { ...frame, messageType: { case: undefined } } as unknown as typeof frame;
  await assert.rejects(a.link.publish(notPublish), { code: 'INVALID_ARGUMENT' });
});

test('an oversized publish is refused locally and the link keeps working', async (t) => {
  const { grpcLink } = await setup(t);
  const a = await grpcLink(alice);
  const b = await grpcLink(bob1);
  await assert.rejects(a.link.publish(publishFrame(alice, bob1, 'x'.repeat(5 * 1024 * 1024))), {
    code: 'RESOURCE_EXHAUSTED',
  });
  await a.link.publish(publishFrame(alice, bob1, 'small'));
  await b.inbox.until((x) => x.includes('small'), 'small frame after the big one');
});

test('no frame is lost under a flood, to a gRPC and to an in-process receiver (backpressure, not drops)', async (t) => {
  const { grpcLink, localLink } = await setup(t);
  const a = await grpcLink(alice);
  const b = await grpcLink(bob1);
  const local = await localLink(bob2);
  const N = 3000;
  await Promise.all([
    (async () => {
      for (let i = 0; i < N; i++) await a.link.publish(publishFrame(alice, bob1, `g${i}`));
    })(),
    (async () => {
      for (let i = 0; i < N; i++) await a.link.publish(publishFrame(alice, bob2, `l${i}`));
    })(),
  ]);
  await b.inbox.until((x) => x.length >= N, `${N} frames over gRPC`, 60_000);
  await local.inbox.until((x) => x.length >= N, `${N} frames in process`, 60_000);
  assert.deepEqual(
    b.inbox.texts,
    Array.from({ length: N }, (_, i) => `g${i}`),
    'all delivered, in order',
  );
  assert.deepEqual(
    local.inbox.texts,
    Array.from({ length: N }, (_, i) => `l${i}`),
  );
});

test('node close is idempotent, closes in-process links and refuses new ones', async () => {
  const node = await SlimNode.create({ listen: '127.0.0.1:0' });
  const link = node.connectInProcess();
  await link.start();
  const remote = new GrpcLink({ endpoint: node.endpoint!, backoff: { initialDelayMs: 10_000 } });
  await remote.start();
  const lost = new Promise<void>((r) => (remote.onstatechange = (s) => s === 'reconnecting' && r()));
  await Promise.all([node.close(), node.close()]);
  await node.closed();
  assert.equal(link.state, 'closed');
  await lost; // the node ended the gRPC stream
  assert.throws(() => node.connectInProcess(), { code: 'CLOSED' });
  await assert.rejects(link.publish(publishFrame(alice, bob1, 'x')), { code: 'LINK_CLOSED' });
  await remote.close();
});

test('when a connection goes, its routes go with it: anycast then reaches the remaining instance only', async (t) => {
  const { node, grpcLink } = await setup(t);
  const a = await grpcLink(alice);
  const b1 = await grpcLink(bob1);
  const b2 = await grpcLink(bob2);
  await b1.link.close();
  for (let i = 0; i < 4; i++) await a.link.publish(publishFrame(alice, anyBob, `after-${i}`));
  await b2.inbox.until((x) => x.filter((y) => y.startsWith('after-')).length === 4, 'all anycasts at bob2');
  assert.equal(node.stats().connections, 2);
});
