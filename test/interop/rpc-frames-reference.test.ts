// Interop: what one SLIMRPC call costs on the wire, counted on real links (each app's link to the
// node, recorded by TapLink), through our node and through the reference node, against the
// reference (bindings 2.1.2, core 2.2.0) in both directions (docs/deviations.md, SLIMRPC):
// - our channel sends a unary or unary-stream request alone (no client EOS), on a point-to-point
//   session without per-message acknowledgements, which the reference server accepts: a unary
//   call to the reference server is 3 Publish frames into the node (request, response, server
//   EOS), and to our server 2 (our channel ends a unary call on its response and says so, so our
//   server sends no EOS), where the reference channel's is 8 (request, client EOS, response,
//   server EOS, and an MSG_ACK for each);
// - a reference channel's session keeps the acknowledgements it asked for, and our server answers
//   each call with exactly its response and EOS.
// So the saving cannot silently regress. Fails, never skips, when the reference cannot load.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseName } from '../../src/slim/dataplane/name.js';
import { createChannel, createRpcServer } from '../../src/slim/rpc/index.js';
import type { RpcClient, SlimRpcServer } from '../../src/slim/rpc/index.js';
import type { SlimApp } from '../../src/slim/session/index.js';
import type { ReferencePeer } from '../support/reference.js';
import { refUnary, referenceRpcClient, referenceRpcServer } from '../support/reference-rpc.js';
import { startNode } from '../support/reference-sessions.js';
import type { NodeFixture, NodeKind } from '../support/reference-sessions.js';
import { testService } from '../support/rpc-contract.js';
import { makeApp } from '../support/session-apps.js';
import { TapLink } from '../support/tap-link.js';
import { count, only, reset, sum } from '../support/frame-count.js';
import { until } from '../support/until.js';

const HANG_GUARD = { timeout: 120_000 };
const te = new TextEncoder();
const td = new TextDecoder();
for (const kind of ['ours', 'reference'] as NodeKind[]) {
  describe(`SLIMRPC frames per call, through ${kind === 'ours' ? 'our' : 'the reference'} node`, () => {
    let node: NodeFixture;
    let clientTap: TapLink;
    let serverTap: TapLink;
    let clientApp: SlimApp;
    let serverApp: SlimApp;
    let server: SlimRpcServer;
    let toOurs: RpcClient;
    let toRef: RpcClient;
    let refServer: ReferencePeer;
    let refClient: ReferencePeer;

    test(
      'set up: node, our client and server on tapped links, reference server and client',
      HANG_GUARD,
      async () => {
        node = await startNode(kind);
        clientTap = new TapLink(node.link());
        serverTap = new TapLink(node.link());
        clientApp = await makeApp({ name: 'org/ns/fc-cli', link: clientTap, mls: true });
        serverApp = await makeApp({ name: 'org/ns/fc-srv', link: serverTap, mls: true });
        server = createRpcServer(serverApp, { services: [testService()] });
        [refServer, refClient] = await Promise.all([
          referenceRpcServer('fc-refsrv', node.endpoint),
          referenceRpcClient('fc-refcli', node.endpoint, 'fc-srv'),
        ]);
        toOurs = createChannel(clientApp, parseName('org/ns/fc-srv'));
        toRef = createChannel(clientApp, parseName('org/ns/fc-refsrv'));
      },
    );

    test('our channel to our server: 2 frames per unary call, no acknowledgements', HANG_GUARD, async () => {
      assert.equal(td.decode(await toOurs.unary('test.Contract', 'Echo', te.encode('warm'))), ':warm');
      reset(clientTap);
      reset(serverTap);
      const n = 5;
      for (let i = 0; i < n; i++)
        assert.equal(td.decode(await toOurs.unary('test.Contract', 'Echo', te.encode(`c${i}`))), `:c${i}`);
      const counted = count(clientTap.toNode).opened;
      // One more call: our server answers in order, so whatever it sent for the counted calls (an
      // EOS, had it sent one) has reached the client before this call's response.
      assert.equal(td.decode(await toOurs.unary('test.Contract', 'Echo', te.encode('fence'))), ':fence');
      const sent = only(count(clientTap.toNode), counted);
      const received = only(count(clientTap.fromNode), counted);
      const serverSent = only(count(serverTap.toNode), counted);
      const serverReceived = only(count(serverTap.fromNode), counted);
      assert.equal(sent.msgs.size, n);
      for (const [id, c] of sent.msgs) assert.equal(c, 1, `call ${id}: the request alone`);
      for (const [id, c] of received.msgs) assert.equal(c, 1, `call ${id}: the response alone, no EOS`);
      assert.deepEqual([...serverReceived.msgs.keys()].sort(), [...sent.msgs.keys()].sort());
      assert.equal(sum(serverSent.msgs), n);
      for (const c of [count(clientTap.toNode), count(clientTap.fromNode), count(serverTap.toNode)]) {
        assert.equal(c.acks, 0, 'no MSG_ACK on an unacknowledged session');
        assert.equal(c.retransmissions, 0);
      }
      assert.equal(sum(sent.msgs) + sum(serverSent.msgs), 2 * n, 'Publish frames into the node');
    });

    test('our channel, unary-stream: the request alone, no acknowledgements', HANG_GUARD, async () => {
      reset(clientTap);
      const got: string[] = [];
      for await (const m of toOurs.serverStream('test.Contract', 'Count', te.encode('3')))
        got.push(td.decode(m));
      assert.deepEqual(got, ['0', '1', '2']);
      const sent = count(clientTap.toNode);
      assert.equal(sum(sent.msgs), 1);
      assert.equal(count(clientTap.fromNode).acks + sent.acks, 0);
    });

    test(
      'our channel to the reference server: it accepts the session without acknowledgements',
      HANG_GUARD,
      async () => {
        assert.equal(td.decode(await toRef.unary('test.Contract', 'Who', te.encode('warm'))), 'ref:warm');
        reset(clientTap);
        const n = 5;
        for (let i = 0; i < n; i++)
          assert.equal(td.decode(await toRef.unary('test.Contract', 'Who', te.encode(`r${i}`))), `ref:r${i}`);
        const calls = () => count(clientTap.toNode).opened;
        await until(() => sum(only(count(clientTap.fromNode), calls()).msgs) >= 2 * n, 'every server EOS');
        const sent = count(clientTap.toNode);
        const received = only(count(clientTap.fromNode), sent.opened);
        assert.equal(sent.msgs.size, n);
        for (const [id, c] of sent.msgs) assert.equal(c, 1, `call ${id}: the request alone`);
        for (const [id, c] of received.msgs) assert.equal(c, 2, `call ${id}: response and EOS`);
        assert.equal(sent.acks + received.acks, 0, 'the reference sends and expects no MSG_ACK');
        assert.equal(sent.retransmissions + received.retransmissions, 0);
      },
    );

    test(
      "the reference channel to our server: its acknowledged session, our answer's two frames",
      HANG_GUARD,
      async () => {
        const first = await refUnary(refClient, { method: 'Echo', text: 'warm' });
        assert.ok(first.ok, JSON.stringify(first));
        reset(serverTap);
        const n = 3;
        for (let i = 0; i < n; i++) {
          const r = await refUnary(refClient, { method: 'Echo', text: `x${i}` });
          assert.deepEqual(r, { ok: true, value: `:x${i}` });
        }
        const calls = () => count(serverTap.fromNode).opened;
        const answered = () => only(count(serverTap.toNode), calls());
        await until(() => sum(answered().msgs) >= 2 * n, 'our answers');
        await until(() => count(serverTap.fromNode).acks >= 2 * n, 'the reference to acknowledge them');
        assert.equal(calls().size, n);
        const sent = answered();
        for (const [id, c] of sent.msgs) assert.equal(c, 2, `call ${id}: response and EOS`);
        assert.ok(count(serverTap.toNode).acks >= n, 'we acknowledge the frames of its session');
      },
    );

    test('tear down', HANG_GUARD, async () => {
      await Promise.allSettled([toOurs?.close(), toRef?.close()]);
      await server?.close();
      await Promise.allSettled([clientApp?.close(), serverApp?.close()]);
      await Promise.allSettled([refServer?.stop(), refClient?.stop()]);
      await node?.close();
    });
  });
}
