// Component: the gRPC link's lifecycle as an app sees it. Typed errors instead of hangs
// (UNREACHABLE, LINK_REFUSED, TIMEOUT, CLOSED), reconnect with re-subscription after a node
// restart and after GOAWAY, frames queued while reconnecting are delivered afterwards, and
// close() settles everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Metadata } from '@grpc/grpc-js';
import type { Socket } from 'node:net';
import { SlimNode } from '../../src/slim/node/index.js';
import { GrpcLink } from '../../src/slim/dataplane/grpc-link.js';
import { makeName } from '../../src/slim/dataplane/name.js';
import { decodeMessage, encodeMessage, newMessage } from '../../src/slim/proto/index.js';
import { negotiationReply } from '../../src/slim/dataplane/negotiation.js';
import { HeaderMac } from '../../src/slim/dataplane/header-mac.js';
import { deriveHeaderMacKey, generateLinkKeyPair } from '../../src/slim/dataplane/link-key.js';
import { captureLogs } from '../support/log-capture.js';
import { LinkConnectionType } from '../../src/slim/proto/index.js';
import { Inbox, probeUntilDelivered, publishFrame, waitForState } from '../support/dataplane.js';
import { rawServer } from '../support/raw-grpc.js';
import type { RawServerCall } from '../support/raw-grpc.js';
import { freePort } from '../support/reference.js';

const alice = makeName('org', 'ns', 'alice', 0xa1n);
const bob = makeName('org', 'ns', 'bob', 0xb1n);
const fastBackoff = { initialDelayMs: 20, maxDelayMs: 200 };

/** A raw server that negotiates (no key), then lets `onFrame` answer each frame. */
function negotiatingServer(onFrame: (call: RawServerCall, msg: ReturnType<typeof decodeMessage>) => void) {
  return rawServer((call) => {
    call.on('error', () => {});
    call.on('data', (buf: Buffer) => {
      const msg = decodeMessage(buf);
      if (msg.messageType.case === 'link' && msg.messageType.value.linkType.case === 'linkNegotiation') {
        const req = msg.messageType.value.linkType.value;
        call.write(
          encodeMessage(
            negotiationReply({
              linkId: req.linkId,
              version: '2.2.0',
              nodeId: 'raw',
              connectionType: LinkConnectionType.EDGE,
            }),
          ),
        );
      } else onFrame(call, msg);
    });
  });
}

test('UNREACHABLE when nothing listens, from the refused connection rather than the deadline', async () => {
  const port = await freePort();
  const link = new GrpcLink({ endpoint: `http://127.0.0.1:${port}`, connectTimeoutMs: 60_000 });
  await assert.rejects(
    link.start(),
    (e: Error & { code?: string }) => e.code === 'UNREACHABLE' && /connection failed/.test(e.message),
  );
  assert.equal(link.state, 'idle');
  await link.close();
});

test('UNREACHABLE at the connect deadline when the port accepts but never speaks HTTP/2', async (t) => {
  const sockets = new Set<Socket>();
  const silent = createServer((s) => sockets.add(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  t.after(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });
  const port = (silent.address() as { port: number }).port;
  const link = new GrpcLink({ endpoint: `http://127.0.0.1:${port}`, connectTimeoutMs: 500 });
  await assert.rejects(
    link.start(),
    (e: Error & { code?: string }) => e.code === 'UNREACHABLE' && /within 500 ms/.test(e.message),
  );
  await link.close();
});

test('LINK_REFUSED when the node ends the stream without a negotiation reply', async (t) => {
  const srv = await rawServer((call) => {
    call.on('error', () => {});
    call.on('data', () => call.end());
  });
  t.after(srv.close);
  const link = new GrpcLink({ endpoint: `http://127.0.0.1:${srv.port}` });
  await assert.rejects(link.start(), { code: 'LINK_REFUSED' });
  await link.close();
});

test('LINK_REFUSED when the node never answers negotiation (deadline)', async (t) => {
  const srv = await rawServer((call) => {
    call.on('error', () => {});
    call.sendMetadata(new Metadata());
  });
  t.after(srv.close);
  const link = new GrpcLink({ endpoint: `http://127.0.0.1:${srv.port}`, negotiationTimeoutMs: 300 });
  await assert.rejects(
    link.start(),
    (e: Error & { code?: string }) => e.code === 'LINK_REFUSED' && /within 300 ms/.test(e.message),
  );
  await link.close();
});

test('LINK_REFUSED with the reason: a node that demands a key, and a node that returns none', async (t) => {
  const strict = await SlimNode.create({ listen: '127.0.0.1:0', requireHeaderMac: true });
  t.after(() => strict.close());
  const noKey = new GrpcLink({ endpoint: strict.endpoint!, offerHeaderMac: false });
  await assert.rejects(
    noKey.start(),
    (e: Error & { code?: string }) => e.code === 'LINK_REFUSED' && /X25519 key/.test(e.message),
  );
  await noKey.close();

  const srv = await negotiatingServer(() => {});
  t.after(srv.close);
  const wantsMac = new GrpcLink({ endpoint: `http://127.0.0.1:${srv.port}` });
  await assert.rejects(
    wantsMac.start(),
    (e: Error & { code?: string }) => e.code === 'LINK_REFUSED' && /without an X25519 key/.test(e.message),
  );
  await wantsMac.close();
  const lenient = new GrpcLink({ endpoint: `http://127.0.0.1:${srv.port}`, requireHeaderMac: false });
  await lenient.start();
  assert.equal(lenient.headerMacActive, false);
  await lenient.close();
});

test('subscribe fails with the node error on success:false, and with TIMEOUT when no ack comes', async (t) => {
  let ack = true;
  const srv = await negotiatingServer((call, msg) => {
    if (msg.messageType.case !== 'subscribe' || !ack) return;
    call.write(
      encodeMessage(
        newMessage({
          messageType: {
            case: 'subscriptionAck',
            value: { subscriptionId: msg.messageType.value.subscriptionId, success: false, error: 'no room' },
          },
        }),
      ),
    );
  });
  t.after(srv.close);
  const link = new GrpcLink({
    endpoint: `http://127.0.0.1:${srv.port}`,
    requireHeaderMac: false,
    ackTimeoutMs: 300,
  });
  t.after(() => link.close());
  await link.start();
  await assert.rejects(
    link.subscribe(bob, { source: bob }),
    (e: Error & { code?: string }) => e.code === 'UNAVAILABLE' && /no room/.test(e.message),
  );
  ack = false;
  await assert.rejects(link.subscribe(alice, { source: alice }), { code: 'TIMEOUT' });
  const ac = new AbortController();
  const p = link.subscribe(makeName('org', 'ns', 'carol', 1n), { source: alice }, ac.signal);
  ac.abort();
  await assert.rejects(p, { code: 'CANCELLED' });
});

test('after a node restart on the same port the link reconnects, re-subscribes and delivers queued frames', async (t) => {
  let node = await SlimNode.create({ listen: '127.0.0.1:0' });
  const port = node.port!;
  t.after(() => node.close());
  const a = new GrpcLink({ endpoint: node.endpoint!, backoff: fastBackoff });
  const b = new GrpcLink({ endpoint: node.endpoint!, backoff: fastBackoff });
  t.after(() => Promise.all([a.close(), b.close()]).then(() => undefined));
  const inbox = new Inbox(b);
  await a.start();
  await b.start();
  await b.subscribe(bob, { source: bob });
  await a.publish(publishFrame(alice, bob, 'before'));
  await inbox.until((x) => x.includes('before'), 'before restart');

  const states: string[] = [];
  a.onstatechange = (s) => states.push(s);
  const aDown = waitForState(a, 'reconnecting');
  await node.close();
  await aDown;
  // A frame published while the link is down waits in the queue.
  const local = makeName('org', 'ns', 'local', 1n);
  const queued = a.publish(publishFrame(alice, local, 'queued'));
  node = await SlimNode.create({ listen: `127.0.0.1:${port}` });
  const l = node.connectInProcess();
  const localInbox = new Inbox(l);
  await l.start();
  await l.subscribe(local, { source: local });
  await queued;
  await localInbox.until((x) => x.includes('queued'), 'queued frame after reconnect');
  await waitForState(b, 'ready');
  await probeUntilDelivered((text) => a.publish(publishFrame(alice, bob, text)), inbox, 'after');
  assert.deepEqual(states.slice(-2), ['reconnecting', 'ready']);
});

test('after GOAWAY (max connection age) the link comes back by itself', async (t) => {
  const node = await SlimNode.create({ listen: '127.0.0.1:0', maxConnectionAgeMs: 500 });
  t.after(() => node.close());
  const b = new GrpcLink({ endpoint: node.endpoint!, backoff: fastBackoff });
  t.after(() => b.close());
  const inbox = new Inbox(b);
  const states: string[] = [];
  b.onstatechange = (s) => states.push(s);
  await b.start();
  await b.subscribe(bob, { source: bob });
  const deadline = Date.now() + 30_000;
  while (!(states.includes('reconnecting') && b.state === 'ready') && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(states.includes('reconnecting'), 'the node sent GOAWAY and closed the stream');
  const local = node.connectInProcess();
  await local.start();
  await probeUntilDelivered((text) => local.publish(publishFrame(alice, bob, text)), inbox, 'goaway');
  await local.close();
});

test('close() rejects waiting publishes with CLOSED, is idempotent, and later calls fail fast', async () => {
  const port = await freePort();
  const link = new GrpcLink({ endpoint: `http://127.0.0.1:${port}` });
  const pending = link.publish(publishFrame(alice, bob, 'never'));
  const sub = link.subscribe(bob, { source: bob });
  await link.close();
  await assert.rejects(pending, { code: 'CLOSED' });
  await assert.rejects(sub, { code: 'CLOSED' });
  await link.close();
  await link.closed();
  assert.equal(link.state, 'closed');
  await assert.rejects(link.publish(publishFrame(alice, bob, 'late')), { code: 'LINK_CLOSED' });
  await assert.rejects(link.start(), { code: 'CLOSED' });
});

test('a publish that cannot be sent in time rejects with TIMEOUT and leaves the queue', async () => {
  const port = await freePort();
  const link = new GrpcLink({
    endpoint: `http://127.0.0.1:${port}`,
    publishTimeoutMs: 200,
    queueCapacity: 1,
  });
  const first = link.publish(publishFrame(alice, bob, 'one'));
  const second = link.publish(publishFrame(alice, bob, 'two')); // waits for room
  await assert.rejects(first, { code: 'TIMEOUT' });
  await assert.rejects(second, { code: 'TIMEOUT' });
  await link.close();
});

test('a publish from the node with a bad MAC is dropped and logged; a correctly signed one is delivered', async (t) => {
  const srv = await rawServer((call) => {
    call.on('error', () => {});
    call.on('data', (buf: Buffer) => {
      const msg = decodeMessage(buf);
      if (msg.messageType.case !== 'link' || msg.messageType.value.linkType.case !== 'linkNegotiation')
        return;
      const req = msg.messageType.value.linkType.value;
      const keys = generateLinkKeyPair();
      const mac = new HeaderMac(deriveHeaderMacKey(keys, req.linkEcdhPublicKey, req.linkId), req.linkId);
      call.write(
        encodeMessage(
          negotiationReply({
            linkId: req.linkId,
            version: '2.2.0',
            nodeId: 'raw',
            connectionType: LinkConnectionType.EDGE,
            publicKey: keys.publicKey,
          }),
        ),
      );
      const forged = publishFrame(alice, bob, 'forged');
      const signed = publishFrame(alice, bob, 'signed');
      for (const f of [forged, signed]) {
        if (f.messageType.case === 'publish') f.messageType.value.header!.ttl = 7;
      }
      if (forged.messageType.case === 'publish')
        forged.messageType.value.header!.headerMac = new Uint8Array(32).fill(1);
      if (signed.messageType.case === 'publish') mac.sign(signed.messageType.value.header!);
      call.write(encodeMessage(forged));
      call.write(encodeMessage(signed));
    });
  });
  t.after(srv.close);
  const logs = captureLogs();
  const link = new GrpcLink({ endpoint: `http://127.0.0.1:${srv.port}`, logger: logs.logger });
  t.after(() => link.close());
  const inbox = new Inbox(link);
  await link.start();
  assert.ok(link.headerMacActive);
  await inbox.until((x) => x.includes('signed'), 'the signed publish');
  assert.equal(inbox.has('forged'), false);
  await logs.waitFor(/integrity verification failed/);
});
