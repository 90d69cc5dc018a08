// Component: SLIMRPC on the point-to-point sessions our channels open without per-message
// acknowledgements (docs/deviations.md, SLIMRPC). Nothing resends a lost frame there, so nothing
// may be lost silently: a request lost on the way ends the session at the server's next frame
// from that caller, a response lost on the way ends it at the client's next frame, and a server whose link to the node dropped and came back ends its unacknowledged
// sessions; each time the calls on the session fail with UNAVAILABLE long before their deadline
// (30 s: a call that waits for it fails the test), and the next call gets a new session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseName } from '../../src/slim/dataplane/name.js';
import { encodeMessage } from '../../src/slim/proto/index.js';
import { StatusCode, createChannel, createRpcServer } from '../../src/slim/rpc/index.js';
import type { ServiceDefinition } from '../../src/slim/rpc/index.js';
import { MemoryFabric } from '../support/memory-fabric.js';
import type { MemoryLink } from '../support/memory-fabric.js';
import { makeApp } from '../support/session-apps.js';
import { echoAndHang, rpcFailure } from '../support/rpc-failure.js';

const te = new TextEncoder();
const td = new TextDecoder();
const LONG = 30_000;

function service(entered: () => void): ServiceDefinition {
  return {
    name: 'svc.U',
    methods: {
      ...echoAndHang(entered),
    },
  };
}

const rejection = (p: Promise<unknown>) => rpcFailure(p, LONG * 2);

async function fixture(t: { after: (fn: () => Promise<void>) => void }) {
  const fabric = new MemoryFabric();
  const serverLink = fabric.link('server');
  const client = await makeApp({ name: 'org/ns/un-client', link: fabric.link('client') });
  const serverApp = await makeApp({ name: 'org/ns/un-server', link: serverLink });
  let entered!: () => void;
  const hangEntered = new Promise<void>((r) => (entered = r));
  const server = createRpcServer(serverApp, {
    services: [service(entered)],
    acceptSession: () => true,
  });
  const channel = createChannel(client, parseName('org/ns/un-server'), { mls: false });
  t.after(async () => {
    await channel.close();
    await server.close();
    await Promise.all([client.close(), serverApp.close()]);
  });
  const echo = (text: string) => channel.unary('svc.U', 'Echo', te.encode(text), { timeoutMs: LONG });
  return { fabric, serverLink, channel, echo, hangEntered };
}

const carrying = (marker: string) => {
  const bytes = Buffer.from(marker);
  return (m: Parameters<typeof encodeMessage>[0]) => Buffer.from(encodeMessage(m)).includes(bytes);
};

test('a request lost on the way: the server ends the session at the next one; the calls fail, the next succeeds', async (t) => {
  const { fabric, echo } = await fixture(t);
  assert.equal(td.decode(await echo('up')), 'up');
  const lose = carrying('LOSE-REQUEST');
  fabric.intercept = (m) => (lose(m) ? null : m);
  const lost = rejection(echo('LOSE-REQUEST'));
  // The server saw nothing of the lost call; the next request shows the gap.
  const next = rejection(echo('after'));
  const [a, b] = [await lost, await next];
  assert.equal(a.status, StatusCode.UNAVAILABLE, a.message);
  assert.equal(b.status, StatusCode.UNAVAILABLE, b.message);
  fabric.intercept = undefined;
  assert.equal(td.decode(await echo('again')), 'again', 'a new session');
});

test('a response lost on the way: the client ends the session at the next one and the call fails', async (t) => {
  const { fabric, echo } = await fixture(t);
  assert.equal(td.decode(await echo('up')), 'up');
  const lose = carrying('LOSE-RESPONSE');
  let dropped = 0;
  // Only the response (the server's copy), not the request that carries the same text.
  fabric.intercept = (m, from) => (from.label === 'server' && lose(m) ? (dropped++, null) : m);
  const lost = rejection(echo('LOSE-RESPONSE'));
  const next = echo('after').catch(() => undefined);
  const err = await lost;
  assert.equal(err.status, StatusCode.UNAVAILABLE, err.message);
  assert.match(err.message, /lost/);
  assert.equal(dropped, 1);
  await next;
  fabric.intercept = undefined;
  assert.equal(td.decode(await echo('again')), 'again', 'a new session');
});

test("the server's link dropped and came back: its unacknowledged session ends and the call in flight fails", async (t) => {
  const { serverLink, channel, echo, hangEntered } = await fixture(t);
  assert.equal(td.decode(await echo('up')), 'up');
  const hang = rejection(channel.unary('svc.U', 'Hang', te.encode(''), { timeoutMs: LONG }));
  await hangEntered;
  // The link reports a reconnect (frames in flight at that moment may be gone), then ready again.
  const flip = (link: MemoryLink, state: 'reconnecting' | 'ready') => {
    link.state = state;
    link.onstatechange?.(state);
  };
  flip(serverLink, 'reconnecting');
  flip(serverLink, 'ready');
  const err = await hang;
  assert.equal(err.status, StatusCode.UNAVAILABLE, err.message);
  assert.equal(td.decode(await echo('again')), 'again', 'a new session');
});
