// Integration: our node against raw grpc-js clients that misbehave. Each offending connection is
// closed with a log line naming why, and a pair of well-behaved links on the same node keeps
// exchanging frames after every one of them (the node never crashes, no state leaks across).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SlimNode } from '../../src/slim/node/index.js';
import { GrpcLink } from '../../src/slim/dataplane/grpc-link.js';
import { makeName } from '../../src/slim/dataplane/name.js';
import { decodeMessage, encodeMessage, LinkConnectionType } from '../../src/slim/proto/index.js';
import type { Message } from '../../src/slim/proto/index.js';
import { negotiationRequest } from '../../src/slim/dataplane/negotiation.js';
import { subscribeFrame } from '../../src/slim/dataplane/frames.js';
import { HeaderMac } from '../../src/slim/dataplane/header-mac.js';
import { deriveHeaderMacKey, generateLinkKeyPair } from '../../src/slim/dataplane/link-key.js';
import { Inbox, publishFrame } from '../support/dataplane.js';
import { RawClient } from '../support/raw-grpc.js';
import { captureLogs } from '../support/log-capture.js';

const alice = makeName('org', 'ns', 'alice', 0xa1n);
const bob = makeName('org', 'ns', 'bob', 0xb1n);
const MAX = 64 * 1024;

async function setup(t: { after: (fn: () => Promise<void>) => void }, slowConsumerTimeoutMs = 10_000) {
  const logs = captureLogs('debug');
  const node = await SlimNode.create({
    listen: '127.0.0.1:0',
    logger: logs.logger,
    negotiationTimeoutMs: 400,
    maxFrameBytes: MAX,
    slowConsumerTimeoutMs,
  });
  const a = new GrpcLink({ endpoint: node.endpoint! });
  const b = new GrpcLink({ endpoint: node.endpoint! });
  const raws: RawClient[] = [];
  t.after(async () => {
    for (const r of raws) r.close();
    await Promise.all([a.close(), b.close()]);
    await node.close();
  });
  const inbox = new Inbox(b);
  await a.start();
  await b.start();
  await b.subscribe(bob, { source: bob });
  let n = 0;
  /** The good pair still works. */
  const stillWorks = async () => {
    const text = `ok-${n++}`;
    await a.publish(publishFrame(alice, bob, text));
    await inbox.until((x) => x.includes(text), text);
  };
  const raw = () => {
    const r = new RawClient(node.port!);
    raws.push(r);
    return r;
  };
  /** A raw client that has negotiated; with `key`, it has a header-MAC key too. */
  const negotiated = async (key: boolean) => {
    const r = raw();
    const keys = generateLinkKeyPair();
    const linkId = `raw-${n++}`;
    r.write(
      encodeMessage(
        negotiationRequest({
          linkId,
          version: '2.2.0',
          nodeId: 'raw',
          connectionType: LinkConnectionType.EDGE,
          ...(key ? { publicKey: keys.publicKey } : {}),
        }),
      ),
    );
    const deadline = Date.now() + 10_000;
    while (r.received.length === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
    const reply = decodeMessage(r.received[0]!);
    let mac: HeaderMac | undefined;
    if (
      key &&
      reply.messageType.case === 'link' &&
      reply.messageType.value.linkType.case === 'linkNegotiation'
    ) {
      const nodeKey = reply.messageType.value.linkType.value.linkEcdhPublicKey;
      mac = new HeaderMac(deriveHeaderMacKey(keys, nodeKey, linkId), linkId);
    }
    const send = (msg: Message) => {
      const h = msg.messageType.case === 'publish' ? msg.messageType.value.header : undefined;
      if (h && mac) mac.sign(h);
      r.write(encodeMessage(msg));
    };
    return { r, send, mac };
  };
  return { node, logs, raw, negotiated, stillWorks };
}

async function closedWith(r: RawClient, logs: ReturnType<typeof captureLogs>, why: RegExp): Promise<void> {
  const status = await r.ended;
  assert.notEqual(status.code, 0, 'the stream ends with an error status');
  assert.match(status.details, why);
  await logs.waitFor(new RegExp(`closing connection: .*${why.source}`));
}

test('garbage before negotiation closes that connection only', async (t) => {
  const { raw, logs, stillWorks } = await setup(t);
  const r = raw();
  r.write(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]));
  await closedWith(r, logs, /malformed frame/);
  await stillWorks();
});

test('a first frame that is not a negotiation closes that connection', async (t) => {
  const { raw, logs, stillWorks } = await setup(t);
  const r = raw();
  r.write(encodeMessage(subscribeFrame({ name: bob, source: bob, subscriptionId: 1n })));
  await closedWith(r, logs, /not a link negotiation/);
  await stillWorks();
});

test('a client that never negotiates is closed at the negotiation deadline', async (t) => {
  const { raw, logs, stillWorks } = await setup(t);
  const r = raw();
  await closedWith(r, logs, /no link negotiation within 400 ms/);
  await stillWorks();
});

test('an unparsable version is refused', async (t) => {
  const { raw, logs, stillWorks } = await setup(t);
  const r = raw();
  r.write(
    encodeMessage(
      negotiationRequest({
        linkId: 'x',
        version: 'not-semver',
        nodeId: 'raw',
        connectionType: LinkConnectionType.EDGE,
      }),
    ),
  );
  await closedWith(r, logs, /not semver/);
  await stillWorks();
});

test('garbage after negotiation closes that connection only', async (t) => {
  const { negotiated, logs, stillWorks } = await setup(t);
  const { r } = await negotiated(false);
  r.write(new Uint8Array([0x1a, 0x05, 0x0a, 0xff]));
  await closedWith(r, logs, /malformed frame/);
  await stillWorks();
});

test('random frames never take the node down', async (t) => {
  const { negotiated, stillWorks } = await setup(t);
  for (let i = 0; i < 20; i++) {
    const { r } = await negotiated(false);
    r.write(randomBytes(1 + ((i * 37) % 300)));
    await r.ended;
  }
  await stillWorks();
});

test('a Subscribe without str_name closes that connection (the reference node would panic)', async (t) => {
  const { negotiated, logs, stillWorks } = await setup(t);
  const { r, send } = await negotiated(false);
  const msg = subscribeFrame({ name: bob, source: alice, subscriptionId: 5n });
  if (msg.messageType.case === 'subscribe') msg.messageType.value.header!.destination!.strName = undefined;
  send(msg);
  await closedWith(r, logs, /subscribe without str_name/);
  await stillWorks();
});

test('client-set forward_to is refused, not obeyed', async (t) => {
  const { negotiated, logs, stillWorks } = await setup(t);
  const { r, send } = await negotiated(true);
  const msg = publishFrame(alice, bob, 'steered');
  if (msg.messageType.case === 'publish') {
    msg.messageType.value.header!.forwardTo = 1n;
    msg.messageType.value.header!.ttl = 8;
  }
  send(msg);
  await closedWith(r, logs, /forward_to/);
  await stillWorks();
});

test('an oversized frame closes that connection, whether just over our limit or far over it', async (t) => {
  const { negotiated, logs, stillWorks } = await setup(t);
  const near = await negotiated(false);
  near.send(publishFrame(alice, bob, 'x'.repeat(MAX + 10)));
  await closedWith(near.r, logs, /over the 65536-byte limit/);
  const far = await negotiated(false);
  far.send(publishFrame(alice, bob, 'x'.repeat(16 * MAX))); // refused by grpc-js before buffering
  const status = await far.r.ended;
  assert.notEqual(status.code, 0);
  await logs.waitFor(/connection gone: stream cancelled/);
  await stillWorks();
});

test('a publish with a bad or missing MAC is dropped and logged; signed ones pass', async (t) => {
  const { negotiated, logs, stillWorks, node } = await setup(t);
  const { r, send, mac } = await negotiated(true);
  assert.ok(mac);
  const bad = publishFrame(alice, bob, 'forged');
  if (bad.messageType.case === 'publish') {
    bad.messageType.value.header!.ttl = 8;
    bad.messageType.value.header!.headerMac = new Uint8Array(32);
  }
  r.write(encodeMessage(bad));
  await logs.waitFor(/dropping frame: SLIM header integrity verification failed/);
  const before = node.stats().forwarded;
  const good = publishFrame(alice, bob, 'signed');
  if (good.messageType.case === 'publish') good.messageType.value.header!.ttl = 8;
  send(good);
  await stillWorks();
  assert.ok(node.stats().forwarded >= before + 2, 'the signed frame was forwarded');
  assert.equal(r.received.length >= 1, true);
});

test('TTL: a frame arriving with ttl 1 is dropped, not forwarded', async (t) => {
  const { negotiated, stillWorks, node } = await setup(t);
  const { send } = await negotiated(false);
  const msg = publishFrame(alice, bob, 'last-hop');
  if (msg.messageType.case === 'publish') msg.messageType.value.header!.ttl = 1;
  send(msg);
  await stillWorks();
  assert.equal(node.stats().ttlExpired, 1);
});

test('a receiver that stops reading is closed as a slow consumer; its sender and the others go on', async (t) => {
  const { negotiated, logs, stillWorks, node } = await setup(t, 500);
  const { r, send } = await negotiated(false);
  const stuck = makeName('org', 'ns', 'stuck', 9n);
  send(subscribeFrame({ name: stuck, source: stuck, subscriptionId: 77n }));
  const deadline = Date.now() + 10_000;
  while (r.received.length < 2 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
  r.call.pause(); // stops reading: HTTP/2 flow control fills up, then the node's buffer
  const producer = new GrpcLink({ endpoint: node.endpoint! });
  t.after(() => producer.close());
  await producer.start();
  let seen = false;
  void logs.waitFor(/slow consumer/, 60_000).then(
    () => (seen = true),
    () => {},
  );
  for (let i = 0; i < 200_000 && !seen; i++) await producer.publish(publishFrame(alice, stuck, `f${i}`));
  assert.ok(seen, 'the node closed the stuck receiver');
  await stillWorks();
  await producer.publish(publishFrame(alice, bob, 'from-the-producer'));
});
