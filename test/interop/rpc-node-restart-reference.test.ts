// Interop: our SLIMRPC channel to a reference SLIMRPC server through a reference node that is
// killed and restarted on the same port. While the node is down, the call in flight and a new
// call fail fast with UNAVAILABLE (they used to wait for their 30 s deadline); once the node is
// back, with a new reference server behind the same name (the old one, and its session, gone),
// the next call succeeds on a new session (before, calls kept failing on the old session). A new
// server rather than the old one reconnecting: the reference app does not always come back after
// a node restart. Fails (never skips) when the reference cannot load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GrpcLink } from '../../src/slim/dataplane/grpc-link.js';
import { parseName } from '../../src/slim/dataplane/name.js';
import { RpcError, StatusCode, createChannel } from '../../src/slim/rpc/index.js';
import { waitForState } from '../support/dataplane.js';
import { ReferencePeer, startReferenceNode } from '../support/reference.js';
import { referenceRpcServer } from '../support/reference-rpc.js';
import { makeApp } from '../support/session-apps.js';
import { rpcFailure } from '../support/rpc-failure.js';
import { until } from '../support/until.js';

const te = new TextEncoder();
const td = new TextDecoder();
const LONG = 30_000;

const failure = (p: Promise<unknown>) => rpcFailure(p, LONG * 2);

test('reference node restart: fail fast while down, a new session once back', async (t) => {
  const first = await startReferenceNode();
  let nodePeer: ReferencePeer = first.peer;
  let server = await referenceRpcServer('nr-server', first.endpoint);
  const link = new GrpcLink({ endpoint: first.endpoint, backoff: { initialDelayMs: 50, maxDelayMs: 500 } });
  const app = await makeApp({ name: 'org/ns/nr-client', link, mls: true });
  const channel = createChannel(app, parseName('org/ns/nr-server'));
  t.after(async () => {
    await channel.close();
    await app.close();
    await server.stop();
    await nodePeer.stop();
  });
  const echo = (text: string) => channel.unary('test.Contract', 'Echo', te.encode(text), { timeoutMs: LONG });
  assert.equal(td.decode(await echo('up')), ':up');
  const slow = failure(channel.unary('test.Contract', 'Slow', te.encode(''), { timeoutMs: LONG }));
  assert.equal(td.decode(await echo('slow-started')), ':slow-started', 'the Slow call is in flight');

  const down = waitForState(link, 'reconnecting');
  await nodePeer.stop();
  await down;
  const inFlight = await slow;
  assert.equal(inFlight.status, StatusCode.UNAVAILABLE, inFlight.message);
  const refused = await failure(echo('while-down'));
  assert.equal(refused.status, StatusCode.UNAVAILABLE, refused.message);
  await server.stop();

  nodePeer = await ReferencePeer.start({ label: 'node2' });
  await nodePeer.run(`await svc.runServerAsync(s.newInsecureServerConfig(args.addr));`, {
    addr: `127.0.0.1:${first.port}`,
  });
  await waitForState(link, 'ready', 60_000);
  server = await referenceRpcServer('nr-server', first.endpoint);
  // Should the new server's subscription still be on its way, a call fails fast: try again.
  const errors: string[] = [];
  await until(
    async () => {
      try {
        return td.decode(await echo('back')) === ':back';
      } catch (err) {
        errors.push(err instanceof RpcError ? `${err.status} ${err.message}` : String(err));
        return false;
      }
    },
    'a call to succeed after the restart',
    90_000,
  ).catch((err: unknown) => {
    throw new Error(`${String(err)}; the calls failed with: ${[...new Set(errors)].join(' | ')}`);
  });
  for (const e of errors) assert.match(e, /^14 /, 'failures while the server comes back are UNAVAILABLE');
});
