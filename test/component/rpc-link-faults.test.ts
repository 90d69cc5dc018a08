// Component: SLIMRPC over our node when the path breaks, as a caller sees it. While the link to
// the node is down, calls fail fast with UNAVAILABLE (in flight or new) instead of waiting for
// their deadline; closing a server and its app during the outage does not wait for the link;
// after the node comes back (with a new server), the next call gets a new session and succeeds.
// A response lost for good (its retransmissions exhausted, or, on a session without
// acknowledgements, a gap in the server's message numbers) fails the call with UNAVAILABLE
// instead of letting it complete without it. Every deadline here is long (30 s): a call that
// waits for it fails the test; the behaviour asserted is fail fast vs wait.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GrpcLink } from '../../src/slim/dataplane/grpc-link.js';
import { parseName } from '../../src/slim/dataplane/name.js';
import { SlimNode } from '../../src/slim/node/index.js';
import { encodeMessage } from '../../src/slim/proto/index.js';
import {
  RpcError,
  StatusCode,
  createChannel,
  createMulticastChannel,
  createRpcServer,
} from '../../src/slim/rpc/index.js';
import type { MulticastItem, ServiceDefinition } from '../../src/slim/rpc/index.js';
import { waitForState } from '../support/dataplane.js';
import { MemoryFabric } from '../support/memory-fabric.js';
import { makeApp, nextIncoming, withTimeout } from '../support/session-apps.js';
import { echoAndHang, rpcFailure } from '../support/rpc-failure.js';

const te = new TextEncoder();
const td = new TextDecoder();
const LONG = 30_000;
const fastBackoff = { initialDelayMs: 20, maxDelayMs: 200 };

function service(entered: () => void): ServiceDefinition {
  return {
    name: 'svc.F',
    methods: {
      ...echoAndHang(entered),
      Three: {
        kind: 'serverStream',
        async *handler() {
          for (const x of ['one', 'LOSE-ME', 'three']) yield te.encode(x);
        },
      },
    },
  };
}

const rejection = (p: Promise<unknown>) => rpcFailure(p, LONG * 2);

test('node down: calls fail fast with UNAVAILABLE; node back: the next call makes a new session', async (t) => {
  let node = await SlimNode.create({ listen: '127.0.0.1:0' });
  const port = node.port!;
  const endpoint = node.endpoint!;
  const link = () => new GrpcLink({ endpoint, backoff: fastBackoff });
  const clientLink = link();
  const serverLink = link();
  const client = await makeApp({ name: 'org/ns/lf-client', link: clientLink, mls: true });
  let serverApp = await makeApp({ name: 'org/ns/lf-server', link: serverLink, mls: true });
  let entered!: () => void;
  const hangEntered = new Promise<void>((r) => (entered = r));
  let server = createRpcServer(serverApp, { services: [service(entered)] });
  const channel = createChannel(client, parseName('org/ns/lf-server'));
  t.after(async () => {
    await channel.close();
    await server.close();
    await Promise.all([client.close(), serverApp.close()]);
    await node.close();
  });

  assert.equal(td.decode(await channel.unary('svc.F', 'Echo', te.encode('up'), { timeoutMs: LONG })), 'up');
  const inFlight = rejection(channel.unary('svc.F', 'Hang', te.encode(''), { timeoutMs: LONG }));
  await hangEntered;

  const down = Promise.all([
    waitForState(clientLink, 'reconnecting'),
    waitForState(serverLink, 'reconnecting'),
  ]);
  await node.close();
  await down;
  const lost = await inFlight;
  assert.equal(lost.status, StatusCode.UNAVAILABLE, `in flight: ${lost.message}`);
  const refused = await rejection(channel.unary('svc.F', 'Echo', te.encode('x'), { timeoutMs: LONG }));
  assert.equal(refused.status, StatusCode.UNAVAILABLE, `new call: ${refused.message}`);
  assert.match(refused.message, /link to the node is reconnecting/);

  // Closing the server side while its link is down: bounded goodbyes, not the link's deadline.
  await withTimeout(
    server.close().then(() => serverApp.close()),
    LONG / 2,
    'the server and its app to close while the link is down',
  );

  // The node comes back with a new server behind the same name (the old one had the session).
  node = await SlimNode.create({ listen: `127.0.0.1:${port}` });
  serverApp = await makeApp({ name: 'org/ns/lf-server', link: link(), mls: true });
  server = createRpcServer(serverApp, { services: [service(() => undefined)] });
  await waitForState(clientLink, 'ready');
  const back = await channel.unary('svc.F', 'Echo', te.encode('back'), { timeoutMs: LONG });
  assert.equal(td.decode(back), 'back');
});

for (const acknowledged of [true, false]) {
  test(`a response lost for good fails the call with UNAVAILABLE, not a silently shorter stream (${acknowledged ? 'acknowledged session: retransmissions exhausted' : 'unacknowledged session: a gap in the numbers'})`, async (t) => {
    const fabric = new MemoryFabric();
    const client = await makeApp({ name: 'org/ns/ml-client', link: fabric.link('client') });
    const serverApp = await makeApp({ name: 'org/ns/ml-server', link: fabric.link('server') });
    const server = createRpcServer(serverApp, {
      services: [service(() => undefined)],
      acceptSession: () => true,
    });
    const channel = createChannel(client, parseName('org/ns/ml-server'), { mls: false, acknowledged });
    t.after(async () => {
      await channel.close();
      await server.close();
      await Promise.all([client.close(), serverApp.close()]);
    });
    // Every copy of one response message is dropped: the first send and every retransmission.
    const marker = Buffer.from('LOSE-ME');
    fabric.intercept = (m) => (Buffer.from(encodeMessage(m)).includes(marker) ? null : m);

    const got: string[] = [];
    const reading = (async () => {
      for await (const m of channel.serverStream('svc.F', 'Three', te.encode(''), { timeoutMs: LONG }))
        got.push(td.decode(m));
    })();
    const err = await rejection(reading);
    assert.equal(err.status, StatusCode.UNAVAILABLE, err.message);
    assert.match(err.message, /lost/);
    assert.deepEqual(got, ['one'], 'nothing after the gap was handed out as if complete');

    // The channel makes a new session for the next call.
    fabric.intercept = undefined;
    assert.equal(
      td.decode(await channel.unary('svc.F', 'Echo', te.encode('next'), { timeoutMs: LONG })),
      'next',
    );
  });
}

test('closing apps with open sessions while the link is down does not wait for the link', async (t) => {
  const node = await SlimNode.create({ listen: '127.0.0.1:0' });
  const endpoint = node.endpoint!;
  const links = [0, 1].map(() => new GrpcLink({ endpoint, backoff: fastBackoff }));
  const a = await makeApp({ name: 'org/ns/cl-a', link: links[0]!, mls: true });
  const b = await makeApp({ name: 'org/ns/cl-b', link: links[1]!, mls: true });
  t.after(async () => {
    await Promise.all([a.close(), b.close()]);
    await node.close();
  });
  const incoming = nextIncoming(b);
  const session = await a.createSession(parseName('org/ns/cl-b'), { kind: 'p2p' });
  await incoming;
  const down = Promise.all(links.map((l) => waitForState(l, 'reconnecting')));
  await node.close();
  await down;
  // A publish now waits for the link (its own deadline is the link's, 30 s).
  const pending = session.publish(Buffer.from('queued'));
  pending.catch(() => undefined);
  // Goodbyes (GROUP_CLOSE, LEAVE_REQUEST) are bounded: closing used to wait for the link's deadline.
  await withTimeout(
    Promise.all([a.close(), b.close()]),
    LONG / 2,
    'both apps to close while the link is down',
  );
  assert.equal((await session.closed()).reason, 'local');
});

/** The statuses a multicast call ended with: its error items, or the error it threw. */
async function multicastStatuses(items: AsyncIterable<MulticastItem>): Promise<number[]> {
  const statuses: number[] = [];
  const reading = (async () => {
    try {
      for await (const item of items) if (item.kind === 'error') statuses.push(item.error.status);
    } catch (err) {
      statuses.push(err instanceof RpcError ? err.status : -1);
    }
  })();
  await withTimeout(reading, LONG * 2, 'the multicast call to settle');
  return statuses;
}

test('multicast: node down, calls fail fast with UNAVAILABLE; node back, the group is made again', async (t) => {
  let node = await SlimNode.create({ listen: '127.0.0.1:0' });
  const port = node.port!;
  const endpoint = node.endpoint!;
  const link = () => new GrpcLink({ endpoint, backoff: fastBackoff });
  const clientLink = link();
  const client = await makeApp({ name: 'org/ns/mf-client', link: clientLink, mls: true });
  const startServers = () =>
    Promise.all(
      ['mf-a', 'mf-b'].map(async (n) => {
        const app = await makeApp({ name: `org/ns/${n}`, link: link(), mls: true });
        return { app, server: createRpcServer(app, { services: [service(() => undefined)] }) };
      }),
    );
  let servers = await startServers();
  const stopServers = () =>
    Promise.all(servers.map(async (s) => (await s.server.close(), await s.app.close())));
  const mc = createMulticastChannel(client, [parseName('org/ns/mf-a'), parseName('org/ns/mf-b')]);
  t.after(async () => {
    await mc.close();
    await stopServers();
    await client.close();
    await node.close();
  });
  const call = (text: string) => mc.unary('svc.F', 'Echo', te.encode(text), { timeoutMs: LONG });
  assert.deepEqual(await multicastStatuses(call('up')), []);

  const inFlight = multicastStatuses(mc.unary('svc.F', 'Hang', te.encode(''), { timeoutMs: LONG }));
  const down = waitForState(clientLink, 'reconnecting');
  await node.close();
  await down;
  assert.deepEqual(await inFlight, [StatusCode.UNAVAILABLE, StatusCode.UNAVAILABLE], 'in flight');
  const refused = await multicastStatuses(call('while-down'));
  assert.ok(
    refused.length > 0 && refused.every((s) => s === StatusCode.UNAVAILABLE),
    `new call: ${refused.join()}`,
  );

  await withTimeout(stopServers(), LONG / 2, 'the servers to close while the link is down');
  node = await SlimNode.create({ listen: `127.0.0.1:${port}` });
  servers = await startServers();
  await waitForState(clientLink, 'ready');
  assert.deepEqual(await multicastStatuses(call('back')), [], 'every member answers again');
});
