// Interop of JWT identities with the reference (bindings 2.1.2), MLS on, ES256 keys served to both
// sides as one JWKS file: through our node and through the reference node, our channel calls a
// reference SLIMRPC server and a reference channel calls our server, every app signing its own
// tokens (the reference's `Jwt` provider, our JwtIdentity) and checking the other's (issuer,
// audience, key). Then refusals, each way: a caller with an untrusted key, an expired token, the
// wrong audience, the wrong issuer or (ours only: the reference cannot send one) a malformed token
// gets a clear error (the reference answers nothing, ours a refusal), and the refusing side logs
// why. Fails, never skips, when the reference cannot load.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseName } from '../../src/slim/dataplane/name.js';
import { createChannel, createRpcServer } from '../../src/slim/rpc/index.js';
import type { RpcClient, SlimRpcServer } from '../../src/slim/rpc/index.js';
import type { SlimApp } from '../../src/slim/session/index.js';
import { captureLogs } from '../support/log-capture.js';
import type { ReferencePeer } from '../support/reference.js';
import { refUnary, referenceRpcClient, referenceRpcServer } from '../support/reference-rpc.js';
import { jwtWorld, ourJwtApp, refJwtArgs } from '../support/reference-jwt.js';
import type { JwtWorld } from '../support/reference-jwt.js';
import { startNode } from '../support/reference-sessions.js';
import type { NodeFixture, NodeKind } from '../support/reference-sessions.js';
import { testService } from '../support/rpc-contract.js';

/** Hang guard only (never a timing assertion). */
const HANG_GUARD = { timeout: 120_000 };
const te = new TextEncoder();
const td = new TextDecoder();

const SUBJECTS = ['acme/ours-srv', 'acme/ours-cli', 'acme/ref-srv', 'acme/ref-cli'];

for (const kind of ['ours', 'reference'] as NodeKind[]) {
  describe(`JWT identities with the reference, MLS on, through ${kind === 'ours' ? 'our' : 'the reference'} node`, () => {
    let world: JwtWorld;
    let node: NodeFixture;
    let serverApp: SlimApp;
    let clientApp: SlimApp;
    let server: SlimRpcServer;
    let channel: RpcClient;
    let refServer: ReferencePeer;
    let refClient: ReferencePeer;
    const serverLogs = captureLogs('info');

    test(
      'set up: JWKS of four parties, our server and client, reference server and client',
      HANG_GUARD,
      async () => {
        world = await jwtWorld(SUBJECTS);
        node = await startNode(kind);
        const p = (s: string) => world.parties.get(s)!;
        serverApp = await ourJwtApp('org/ns/oursrv', node.link(), world, p('acme/ours-srv'), {
          logger: serverLogs.logger,
        });
        clientApp = await ourJwtApp('org/ns/ourcli', node.link(), world, p('acme/ours-cli'));
        server = createRpcServer(serverApp, { services: [testService()] });
        [refServer, refClient] = await Promise.all([
          referenceRpcServer('refsrv', node.endpoint, 'ref', refJwtArgs(world, p('acme/ref-srv'))),
          referenceRpcClient('refcli', node.endpoint, 'oursrv', refJwtArgs(world, p('acme/ref-cli'))),
        ]);
        channel = createChannel(clientApp, parseName('org/ns/refsrv'));
      },
    );

    test('our channel calls a reference server; a reference channel calls ours', HANG_GUARD, async () => {
      const echo = await channel.unary('test.Contract', 'Echo', te.encode('hi'), {
        metadata: { who: 'us' },
        timeoutMs: 30_000,
      });
      assert.equal(td.decode(echo), 'us:hi');
      for (let i = 0; i < 3; i++) {
        const r = await refUnary(refClient, {
          method: 'Echo',
          text: `ref-${i}`,
          metadata: { who: 'ref' },
          timeoutMs: 30_000,
        });
        assert.deepEqual(r, { ok: true, value: `ref:ref-${i}` });
      }
      assert.deepEqual(
        serverLogs.records.filter((r) => r['msg'] === 'peer identity refused'),
        [],
      );
    });

    test('refused callers of a reference server: a clear error, nothing answered', HANG_GUARD, async () => {
      const p = (s: string) => world.parties.get(s)!;
      const two = 2 * 3600_000;
      const callers: [string, Parameters<typeof ourJwtApp>[4], ReturnType<JwtWorld['parties']['get']>][] = [
        ['untrusted key', {}, world.untrusted],
        ['expired token', { clock: () => Date.now() - two }, p('acme/ours-cli')],
        ['wrong audience', { audience: ['other'] }, p('acme/ours-cli')],
        ['wrong issuer', { issuer: 'https://evil.example' }, p('acme/ours-cli')],
        ['malformed token', { token: () => 'not-a-jwt' }, p('acme/ours-cli')],
      ];
      await Promise.all(
        callers.map(async ([why, options, party], i) => {
          const app = await ourJwtApp(`org/ns/bad${i}`, node.link(), world, party!, options);
          try {
            const ch = createChannel(app, parseName('org/ns/refsrv'), { setupTimeoutMs: 5_000 });
            await assert.rejects(
              ch.unary('test.Contract', 'Echo', te.encode('secret'), { timeoutMs: 8_000 }),
              (e: unknown) => {
                assert.match(String(e), /does not accept our identity/, `${why}: ${String(e)}`);
                return true;
              },
              why,
            );
          } finally {
            await app.close();
          }
        }),
      );
      // The reference logs each refusal (it drops the discovery request unanswered).
      assert.match(refServer.logText(), /identity verification failed/);
    });

    test('refused reference callers of our server: a refusal, our side logs why', HANG_GUARD, async () => {
      const p = (s: string) => world.parties.get(s)!;
      const cases: [string, Parameters<typeof refJwtArgs>[2], RegExp][] = [
        [
          'untrusted key',
          { keyFile: world.untrusted.keyFile, subject: world.untrusted.subject },
          /untrusted key/,
        ],
        ['wrong audience', { audience: ['other'] }, /not for audience "slim"/],
        [
          'wrong issuer',
          { issuer: 'https://evil.example' },
          /issuer "https:\/\/evil.example" is not trusted/,
        ],
      ];
      for (const [i, [why, over, reason]] of cases.entries()) {
        const peer = await referenceRpcClient(
          `refbad${i}`,
          node.endpoint,
          'oursrv',
          refJwtArgs(world, p('acme/ref-cli'), over),
        );
        try {
          const r = await refUnary(peer, { method: 'Echo', text: 'secret', timeoutMs: 5_000 });
          assert.equal(r.ok, false, `${why}: the call must fail, got ${JSON.stringify(r)}`);
          const logged = await serverLogs.waitFor(/peer identity refused/);
          assert.ok(
            serverLogs.records.some(
              (rec) => rec['msg'] === 'peer identity refused' && reason.test(String(rec['reason'])),
            ),
            `${why}: ${JSON.stringify(serverLogs.records.filter((x) => x['msg'] === 'peer identity refused'))}`,
          );
          assert.ok(!JSON.stringify(logged).includes('eyJ'), 'no token in the log');
        } finally {
          await peer.stop();
        }
      }
    });

    test(
      'a reference caller whose token our server sees as expired: no answer, logged',
      HANG_GUARD,
      async (t) => {
        // Our server's clock runs two hours ahead: every reference token (1 h) is expired for it.
        const logs = captureLogs('info');
        const late = await ourJwtApp(
          'org/ns/oursrvlate',
          node.link(),
          world,
          world.parties.get('acme/ours-srv')!,
          {
            verifierClock: () => Date.now() + 2 * 3600_000,
            logger: logs.logger,
          },
        );
        const lateServer = createRpcServer(late, { services: [testService()] });
        const peer = await referenceRpcClient(
          'refexp',
          node.endpoint,
          'oursrvlate',
          refJwtArgs(world, world.parties.get('acme/ref-cli')!),
        );
        t.after(async () => {
          await peer.stop();
          await lateServer.close();
          await late.close();
        });
        const r = await refUnary(peer, { method: 'Echo', text: 'secret', timeoutMs: 5_000 });
        assert.equal(r.ok, false, JSON.stringify(r));
        const logged = await logs.waitFor(/peer identity refused/);
        assert.match(String(logged['reason']), /expired/);
        assert.equal(logged['claimedSubject'], 'acme/ref-cli');
      },
    );

    test('tear down', HANG_GUARD, async () => {
      await channel?.close();
      await server?.close();
      await Promise.all([refServer?.stop(), refClient?.stop()]);
      await Promise.all([serverApp?.close(), clientApp?.close()]);
      await node?.close();
      world?.close();
    });
  });
}
