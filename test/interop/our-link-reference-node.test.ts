// Interop: our gRPC link (hand-built Publish frames, no session layer) attached to the REFERENCE
// node. Unicast to an exact id, anycast to the NULL id (fanout 1) and multicast (fanout 256) all
// route as the reference defines; the node's header MACs verify on our side (every frame we get
// passed our check). After the node is killed and restarted on the same port the links reconnect,
// re-negotiate and re-subscribe by themselves, and routing recovers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GrpcLink } from '../../src/slim/dataplane/grpc-link.js';
import { makeName } from '../../src/slim/dataplane/name.js';
import { Inbox, probeUntilDelivered, publishFrame, waitForState } from '../support/dataplane.js';
import { ReferencePeer, startReferenceNode } from '../support/reference.js';

const alice = makeName('org', 'ns', 'alice', 0xa1n);
const bob1 = makeName('org', 'ns', 'bob', 0xb1n);
const bob2 = makeName('org', 'ns', 'bob', 0xb2n);
const anyBob = makeName('org', 'ns', 'bob');
const chat = makeName('org', 'ns', 'chat', 0xc0n);

test('our links through the reference node: unicast, anycast, multicast, then recovery after a node restart', async (t) => {
  const first = await startReferenceNode();
  let nodePeer: ReferencePeer = first.peer;
  const links: GrpcLink[] = [];
  t.after(async () => {
    await Promise.all(links.map((l) => l.close()));
    await nodePeer.stop();
  });
  const connect = async (name: typeof alice) => {
    const link = new GrpcLink({ endpoint: first.endpoint, backoff: { initialDelayMs: 50, maxDelayMs: 500 } });
    links.push(link);
    const inbox = new Inbox(link);
    await link.start();
    await link.subscribe(name, { source: name });
    return { link, inbox };
  };
  const a = await connect(alice);
  const b1 = await connect(bob1);
  const b2 = await connect(bob2);
  await b1.link.subscribe(chat, { source: bob1 });
  await b2.link.subscribe(chat, { source: bob2 });
  assert.ok(a.link.headerMacActive && b1.link.headerMacActive, 'the reference node returned an X25519 key');

  await a.link.publish(publishFrame(alice, bob1, 'exact'));
  await b1.inbox.until((x) => x.includes('exact'), 'unicast to bob1');
  const tagged = b1.inbox.frames[0]!;
  assert.equal(
    tagged.messageType.case === 'publish' && tagged.messageType.value.header?.headerMac?.length,
    32,
  );
  assert.equal(tagged.messageType.case === 'publish' && tagged.messageType.value.header?.ttl, 7);

  for (let i = 0; i < 6; i++) await a.link.publish(publishFrame(alice, anyBob, `any-${i}`));
  const anyCount = () => [...b1.inbox.texts, ...b2.inbox.texts].filter((x) => x.startsWith('any-')).length;
  await b1.inbox.until(() => anyCount() >= 6, 'six anycast frames');
  assert.equal(anyCount(), 6, 'each anycast frame reached exactly one instance');
  assert.ok(
    b1.inbox.texts.some((x) => x.startsWith('any-')) && b2.inbox.texts.some((x) => x.startsWith('any-')),
    'both instances served',
  );

  await a.link.publish(publishFrame(alice, chat, 'multi', 256));
  await b1.inbox.until((x) => x.includes('multi'), 'multicast bob1');
  await b2.inbox.until((x) => x.includes('multi'), 'multicast bob2');
  assert.equal(b2.inbox.has('exact'), false, 'unicast reached only its target');

  // Kill the reference node and bring a new one up on the same port.
  const down = Promise.all(links.map((l) => waitForState(l, 'reconnecting')));
  await nodePeer.stop();
  await down;
  nodePeer = await ReferencePeer.start({ label: 'node2' });
  await nodePeer.run(`await svc.runServerAsync(s.newInsecureServerConfig(args.addr));`, {
    addr: `127.0.0.1:${first.port}`,
  });
  await Promise.all(links.map((l) => waitForState(l, 'ready', 60_000)));
  await probeUntilDelivered((text) => a.link.publish(publishFrame(alice, bob2, text)), b2.inbox, 'back');
  await probeUntilDelivered(
    (text) => b2.link.publish(publishFrame(bob2, chat, text, 256)),
    b1.inbox,
    'chat-back',
  );
});
