// Interop of point-to-point sessions with the reference (Rust core from npm), in both roles, on
// our node and on the reference node: our initiator with a reference invitee and a reference
// initiator with our invitee, 100 messages each way, MLS on and off, reliability on and off.
// Fails (never skips) when the reference cannot load.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseName } from '../../src/slim/dataplane/name.js';
import type { Session } from '../../src/slim/session/index.js';
import type { ReferencePeer } from '../support/reference.js';
import { REF_P2P_ECHO, REF_P2P_INITIATE, referenceApp, startNode } from '../support/reference-sessions.js';
import type { NodeFixture, NodeKind } from '../support/reference-sessions.js';
import { makeApp, nextIncoming, take, withTimeout } from '../support/session-apps.js';

const N = 100;
const sent = Array.from({ length: N }, (_, i) => `m${i}`);
const modes = [
  { mls: true, reliable: true },
  { mls: true, reliable: false },
  { mls: false, reliable: true },
  { mls: false, reliable: false },
];

for (const kind of ['ours', 'reference'] as NodeKind[]) {
  describe(`p2p sessions with the reference, on ${kind === 'ours' ? 'our' : 'the reference'} node`, () => {
    let node: NodeFixture;
    let refAlice: ReferencePeer;
    let refBob: ReferencePeer;
    let alice: Awaited<ReturnType<typeof makeApp>>;
    let bob: Awaited<ReturnType<typeof makeApp>>;

    test('set up: node, two reference apps, two of ours', async () => {
      node = await startNode(kind);
      [refAlice, refBob] = await Promise.all([referenceApp(node, 'refalice'), referenceApp(node, 'refbob')]);
      alice = await makeApp({ name: 'org/ns/alice', link: node.link(), mls: true });
      bob = await makeApp({ name: 'org/ns/bob', link: node.link(), mls: true });
    });

    for (const { mls, reliable } of modes) {
      test(`our initiator, reference invitee (mls=${mls}, reliable=${reliable})`, async () => {
        const echo = refBob.run<string[]>(REF_P2P_ECHO, { n: N, tag: `a-${mls}-${reliable}` }, 120_000);
        const s = await alice.createSession(parseName('org/ns/refbob'), { kind: 'p2p', mls, reliable });
        assert.equal(s.mls, mls);
        const replies = take(s.messages()[Symbol.asyncIterator](), N, 60_000);
        for (const m of sent) await s.publish(Buffer.from(m));
        const got = await replies;
        assert.deepEqual(await echo, sent, 'the reference got every message, in order');
        assert.deepEqual(
          got,
          sent.map((m) => `re:${m}`),
          'we got every reply, in order',
        );
        await s.close();
      });

      test(`reference initiator, our invitee (mls=${mls}, reliable=${reliable})`, async () => {
        const incoming = nextIncoming(bob, 60_000);
        const initiated = refAlice.run<string[]>(
          REF_P2P_INITIATE,
          { target: 'bob', n: N, mls, reliable },
          120_000,
        );
        const s: Session = await incoming;
        assert.equal(s.mls, mls);
        assert.equal(s.reliable, reliable);
        const it = s.messages()[Symbol.asyncIterator]();
        const got = await take(it, N, 60_000);
        for (const m of got) await s.publish(Buffer.from(`re:${m}`));
        assert.deepEqual(got, sent, 'we got every message, in order');
        assert.deepEqual(
          await initiated,
          sent.map((m) => `re:${m}`),
          'the reference got every reply',
        );
        // The reference closes with GROUP_CLOSE to our name with the NULL id, fanout 256.
        const info = await withTimeout(s.closed(), 30_000, 'the initiator closing the session');
        assert.equal(info.reason, 'remote');
      });
    }

    test('tear down', async () => {
      await Promise.allSettled([alice?.close(), bob?.close()]);
      await Promise.allSettled([refAlice?.stop(), refBob?.stop()]);
      await node?.close();
    });
  });
}
