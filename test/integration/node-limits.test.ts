// Integration: what an unauthenticated outsider can make our node hold. Each test reproduces one
// abuse seen against the node (idle TCP connections kept forever, connections that only send the
// HTTP/2 preface, one link registering subscriptions without end, connection floods) and checks
// that the offender is cut, with a log line naming why, while a pair of well-behaved links on the
// same node keeps exchanging frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import * as http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import type { Socket } from 'node:net';
import { SlimNode } from '../../src/slim/node/index.js';
import type { SlimNodeOptions } from '../../src/slim/node/index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GrpcLink } from '../../src/slim/dataplane/grpc-link.js';
import type { GrpcLinkOptions } from '../../src/slim/dataplane/grpc-link.js';
import { makeName } from '../../src/slim/dataplane/name.js';
import { subscribeFrame } from '../../src/slim/dataplane/frames.js';
import { negotiationRequest } from '../../src/slim/dataplane/negotiation.js';
import { OPEN_CHANNEL_PATH } from '../../src/slim/dataplane/wire.js';
import { decodeMessage, encodeMessage, LinkConnectionType } from '../../src/slim/proto/index.js';
import { Inbox, publishFrame } from '../support/dataplane.js';
import { RawClient } from '../support/raw-grpc.js';
import { captureLogs } from '../support/log-capture.js';
import { until } from '../support/until.js';
import { REPO_ROOT } from '../support/paths.js';

const alice = makeName('org', 'ns', 'alice', 0xa1n);
const bob = makeName('org', 'ns', 'bob', 0xb1n);
const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
/** An empty SETTINGS frame: what a client sends right after the preface. */
const EMPTY_SETTINGS = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);

type After = { after: (fn: () => void | Promise<void>) => void };

async function setup(
  t: After,
  { link, ...options }: Partial<SlimNodeOptions> & { link?: Partial<GrpcLinkOptions> } = {},
) {
  const logs = captureLogs('debug');
  const node = await SlimNode.create({ listen: '127.0.0.1:0', logger: logs.logger, ...options });
  const a = new GrpcLink({ endpoint: node.endpoint!, ...link });
  const b = new GrpcLink({ endpoint: node.endpoint!, ...link });
  const sockets: Socket[] = [];
  const raws: RawClient[] = [];
  t.after(async () => {
    for (const s of sockets) s.destroy();
    for (const r of raws) r.close();
    await Promise.all([a.close(), b.close()]);
    await node.close();
  });
  const inbox = new Inbox(b);
  await a.start();
  await b.start();
  await b.subscribe(bob, { source: bob });
  let n = 0;
  const stillWorks = async () => {
    const text = `ok-${n++}`;
    await a.publish(publishFrame(alice, bob, text));
    await inbox.until((x) => x.includes(text), text);
  };
  /** A TCP connection to the node; `closed` resolves when the node (not we) closes it. */
  const tcp = async (first?: Buffer) => {
    const s = connect(node.port!, '127.0.0.1');
    sockets.push(s);
    s.on('error', () => {});
    s.on('data', () => {}); // the node's SETTINGS; read and drop
    const closed = new Promise<void>((r) => s.once('close', () => r()));
    await new Promise<void>((r, j) => {
      s.once('connect', r);
      s.once('error', j);
    });
    if (first) s.write(first);
    return { socket: s, closed };
  };
  const raw = () => {
    const r = new RawClient(node.port!);
    raws.push(r);
    return r;
  };
  /** A raw client that negotiated an EDGE link without a key (no MACs), as any client may. */
  const negotiated = async () => {
    const r = raw();
    r.write(
      encodeMessage(
        negotiationRequest({
          linkId: `raw-${n++}`,
          version: '2.2.0',
          nodeId: 'raw',
          connectionType: LinkConnectionType.EDGE,
        }),
      ),
    );
    await until(() => r.received.length > 0, 'negotiation reply');
    assert.equal(decodeMessage(r.received[0]!).messageType.case, 'link');
    return r;
  };
  return { node, logs, stillWorks, tcp, raw, negotiated };
}

test('idle TCP connections are closed at the handshake deadline', { timeout: 30_000 }, async (t) => {
  const { logs, stillWorks, tcp } = await setup(t, { limits: { handshakeTimeoutMs: 300 } });
  const idle = await Promise.all(Array.from({ length: 20 }, () => tcp()));
  await Promise.all(idle.map((c) => c.closed));
  await logs.waitFor(/closing connection: no negotiated link within 300 ms/);
  await stillWorks();
});

test('connections that only send the HTTP/2 preface are closed', { timeout: 30_000 }, async (t) => {
  const { logs, stillWorks, tcp } = await setup(t, { limits: { handshakeTimeoutMs: 300 } });
  const preface = Buffer.concat([HTTP2_PREFACE, EMPTY_SETTINGS]);
  const held = await Promise.all(Array.from({ length: 10 }, () => tcp(preface)));
  await Promise.all(held.map((c) => c.closed));
  await logs.waitFor(/closing connection: no negotiated link within 300 ms/);
  await stillWorks();
});

test(
  'a connection whose stream never negotiates is closed, not only its stream',
  { timeout: 30_000 },
  async (t) => {
    const { logs, stillWorks, raw } = await setup(t, {
      negotiationTimeoutMs: 60_000,
      limits: { handshakeTimeoutMs: 300 },
    });
    const r = raw();
    const status = await r.ended;
    assert.notEqual(status.code, 0);
    await logs.waitFor(/closing connection: no negotiated link within 300 ms/);
    await stillWorks();
  },
);

test(
  'the links of a negotiated connection are not cut by the handshake deadline',
  { timeout: 30_000 },
  async (t) => {
    const { node, logs, stillWorks } = await setup(t, { limits: { handshakeTimeoutMs: 200 } });
    // Several deadlines pass while the pair is linked; it keeps working and nothing is closed.
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await stillWorks();
    }
    assert.equal(node.stats().connections, 2);
    assert.ok(!logs.messages().some((m) => /no negotiated link/.test(m)));
  },
);

test(
  'a subscription flood is cut at the per-connection cap; another client keeps working',
  { timeout: 30_000 },
  async (t) => {
    const { node, logs, stillWorks, negotiated } = await setup(t, {
      limits: { maxSubscriptionsPerConnection: 100 },
    });
    const before = node.stats().subscriptions;
    const flooder = await negotiated();
    for (let i = 0; i < 150; i++) {
      const name = makeName('flood', 'random', `n${i}-${Math.random().toString(36).slice(2)}`, BigInt(i + 1));
      flooder.write(encodeMessage(subscribeFrame({ name, source: name, subscriptionId: BigInt(i + 1) })));
    }
    const status = await flooder.ended;
    assert.equal(status.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.match(status.details, /more than 100 subscriptions on one connection/);
    await logs.waitFor(/closing connection: more than 100 subscriptions on one connection/);
    await until(() => node.stats().subscriptions === before, 'the flood leaves the routing table');
    await stillWorks();
  },
);

test(
  'past the node-wide subscription cap a Subscribe is refused, the link stays',
  { timeout: 30_000 },
  async (t) => {
    // The good pair holds 1 subscription (bob); the cap leaves room for 9 more.
    const { node, stillWorks, negotiated } = await setup(t, {
      limits: { maxSubscriptions: 10, maxSubscriptionsPerConnection: 100 },
    });
    const c = await negotiated();
    for (let i = 0; i < 12; i++) {
      const name = makeName('many', 'subs', `n${i}`, BigInt(i + 1));
      c.write(encodeMessage(subscribeFrame({ name, source: name, subscriptionId: BigInt(i + 1) })));
    }
    await until(() => c.received.length >= 13, 'twelve SubscriptionAcks');
    const acks = c.received.slice(1).map((b) => decodeMessage(b).messageType);
    const failed = acks.filter((m) => m.case === 'subscriptionAck' && !m.value.success);
    assert.equal(failed.length, 3);
    assert.ok(failed.every((m) => m.case === 'subscriptionAck' && /table full/.test(m.value.error)));
    assert.equal(node.stats().subscriptions, 10);
    assert.equal(node.stats().connections, 3, 'the refused client keeps its link');
    await stillWorks();
  },
);

test(
  'connections past the per-address cap are closed on accept; the others stay',
  { timeout: 30_000 },
  async (t) => {
    // The good pair holds 2 connections from 127.0.0.1.
    const { logs, stillWorks, tcp } = await setup(t, {
      limits: { maxConnectionsPerAddress: 4, handshakeTimeoutMs: 60_000 },
    });
    const first = await Promise.all([tcp(), tcp()]);
    const third = await tcp();
    await third.closed;
    await logs.waitFor(/refusing connection: 127\.0\.0\.1 holds its maximum of connections/);
    for (const c of first) assert.equal(c.socket.destroyed, false);
    await stillWorks();
  },
);

test('connections past the total cap are closed on accept', { timeout: 30_000 }, async (t) => {
  const { logs, stillWorks, tcp } = await setup(t, {
    limits: { maxConnections: 3, handshakeTimeoutMs: 60_000 },
  });
  const kept = await tcp();
  const over = await tcp();
  await over.closed;
  await logs.waitFor(/refusing connection: the node holds its maximum of connections/);
  assert.equal(kept.socket.destroyed, false);
  await stillWorks();
});

test(
  'streams past the per-connection cap are refused; the connection keeps the others',
  { timeout: 30_000 },
  async (t) => {
    const { node, stillWorks } = await setup(t, {
      negotiationTimeoutMs: 60_000,
      limits: { maxStreamsPerConnection: 2 },
    });
    const session = http2.connect(`http://127.0.0.1:${node.port}`);
    session.on('error', () => {});
    t.after(() => session.destroy());
    const open = () => {
      const req = session.request(
        { ':method': 'POST', ':path': OPEN_CHANNEL_PATH, 'content-type': 'application/grpc', te: 'trailers' },
        { endStream: false },
      );
      req.on('error', () => {});
      return {
        req,
        outcome: new Promise<string>((resolve) => {
          req.on('response', (h) => {
            const status = h['grpc-status'];
            resolve(status === undefined ? 'open' : `grpc-status ${String(status)}`);
          });
          req.on('close', () => resolve(`closed (rst ${req.rstCode})`));
        }),
      };
    };
    const streams = Array.from({ length: 4 }, open);
    const outcomes = await Promise.all(streams.map((s) => s.outcome));
    assert.deepEqual(outcomes.slice(0, 2), ['open', 'open']);
    // Refused by HTTP/2 (REFUSED_STREAM, 7) or, for a client that ignores the setting, by the node
    // (RESOURCE_EXHAUSTED, 8).
    for (const o of outcomes.slice(2)) assert.match(o, /^(closed \(rst 7\)|grpc-status 8)$/);
    assert.equal(session.destroyed, false, 'the connection itself stays');
    // The client ends its first stream (the node then ends it too, freeing the slot).
    streams[0]!.req.end();
    const again = open();
    assert.equal(await again.outcome, 'open', 'a freed slot can be used again');
    await stillWorks();
    session.destroy();
  },
);

test(
  'over TLS too, negotiated links outlive the handshake deadline and idle sockets do not',
  { timeout: 30_000 },
  async (t) => {
    const pem = (f: string) => new Uint8Array(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'tls', f)));
    const { node, logs, stillWorks, tcp } = await setup(t, {
      tls: { cert: pem('node.pem'), key: pem('node.key') },
      limits: { handshakeTimeoutMs: 200 },
      link: { tls: { ca: pem('ca.pem') } },
    });
    const idle = await tcp();
    await idle.closed;
    await logs.waitFor(/closing connection: no negotiated link within 200 ms/);
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await stillWorks();
    }
    assert.equal(node.stats().connections, 2);
    assert.ok(!logs.messages().some((m) => /does not know/.test(m)));
  },
);

test('limits are checked', async () => {
  await assert.rejects(SlimNode.create({ limits: { maxConnections: 0 } }), { code: 'INVALID_ARGUMENT' });
  await assert.rejects(SlimNode.create({ limits: { handshakeTimeoutMs: 1.5 } }), {
    code: 'INVALID_ARGUMENT',
  });
});
