// A reference app (bindings 2.1.2) whose identity our app does not accept (its JWT names an issuer
// we do not trust) opens a session to ours, on our node and on the reference node: we answer its
// discovery with a signed refusal (GROUP_NACK, JOIN_REFUSED), which the reference can verify (it
// trusts our key and issuer) but does not expect. It keeps retrying, and its set-up fails with the
// same error as towards a name nobody answers; the reference app keeps working (it then opens a
// session, without MLS, with another of our apps, one that accepts its issuer: its own MLS
// credential does not verify under its own trust); and a trusted reference app opens an MLS
// session to ours right after, messages both ways. Fails (never skips) when the reference cannot load.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage } from '../../src/slim/proto/index.js';
import { META_JOIN_REFUSED } from '../../src/slim/session/constants.js';
import { MsgType, readFrame } from '../../src/slim/session/frames.js';
import type { Inbound } from '../../src/slim/session/frames.js';
import type { SlimApp } from '../../src/slim/session/index.js';
import type { ReferencePeer } from '../support/reference.js';
import { JWT_ISSUER, jwtWorld, ourJwtApp, refJwtArgs, referenceJwtApp } from '../support/reference-jwt.js';
import { REF_P2P_INITIATE, startNode } from '../support/reference-sessions.js';
import type { NodeKind } from '../support/reference-sessions.js';
import { nextIncoming, take } from '../support/session-apps.js';
import { TapLink } from '../support/tap-link.js';

const LONG = 90_000;
const HANG_GUARD = { timeout: 240_000 };
const EVIL = 'https://evil.example';

function sent(link: TapLink, type: MsgType): Inbound[] {
  return link.toNode.map((b) => readFrame(decodeMessage(b))).filter((f): f is Inbound => f?.type === type);
}

/** Our side of one p2p session: echoes `n` messages back with a 're:' prefix. */
async function echo(app: SlimApp, n: number): Promise<string[]> {
  const s = await nextIncoming(app, 60_000);
  const it = s.messages()[Symbol.asyncIterator]();
  const got: string[] = [];
  for (let i = 0; i < n; i++) {
    const [text] = await take(it, 1, 60_000);
    got.push(text!);
    await s.publish(Buffer.from(`re:${text}`));
  }
  return got;
}

for (const kind of ['ours', 'reference'] as NodeKind[]) {
  const where = kind === 'ours' ? 'our' : 'the reference';
  describe(`a reference app whose identity we refuse, on ${where} node`, () => {
    test(
      'our refusal leaves the reference unharmed; a trusted reference app works right after',
      HANG_GUARD,
      async (t) => {
        const world = await jwtWorld(['acme/ours', 'acme/lenient', 'acme/refbad', 'acme/refgood']);
        const node = await startNode(kind);
        const p = (s: string) => world.parties.get(s)!;
        const link = new TapLink(node.link());
        const ours = await ourJwtApp('org/ns/ours', link, world, p('acme/ours'));
        const lenient = await ourJwtApp('org/ns/lenient', node.link(), world, p('acme/lenient'), {
          trustIssuers: [JWT_ISSUER, EVIL],
        });
        const peers: ReferencePeer[] = [];
        t.after(async () => {
          await Promise.all([ours.close(), lenient.close()]);
          await Promise.allSettled(peers.map((r) => r.stop()));
          await node.close();
          world.close();
        });
        // refbad signs as an issuer `ours` does not trust (`lenient` does), and trusts ours.
        const [refbad, refgood] = await Promise.all([
          referenceJwtApp(node, 'refbad', refJwtArgs(world, p('acme/refbad'), { issuer: EVIL })),
          referenceJwtApp(node, 'refgood', refJwtArgs(world, p('acme/refgood'))),
        ]);
        peers.push(refbad, refgood);

        // 1. Refused: the reference's set-up fails exactly as it does when nobody answers.
        const failure = (target: string) =>
          refbad.run(REF_P2P_INITIATE, { target, n: 1, mls: true, reliable: true }, LONG).then(
            () => assert.fail(`a session to ${target} was set up`),
            (e: unknown) => String(e),
          );
        const refused = await failure('ours');
        const unanswered = await failure('nobody');
        const shape = (e: string) => e.replace(/id=\d+/g, 'id=N');
        assert.match(refused, /message send retries exhausted/);
        assert.equal(shape(refused), shape(unanswered));
        const asked = link.fromNode
          .map((b) => readFrame(decodeMessage(b)))
          .filter((f) => f?.type === MsgType.DISCOVERY_REQUEST).length;
        assert.ok(asked > 1, 'the reference kept retrying its discovery after our refusal');
        const nacks = sent(link, MsgType.GROUP_NACK);
        assert.ok(
          nacks.length >= 1 && nacks.length <= asked,
          `${nacks.length} refusals to ${asked} requests`,
        );
        assert.equal(nacks[0]!.metadata[META_JOIN_REFUSED], 'identity not accepted');
        assert.equal(nacks[0]!.destination.app, 'refbad');
        assert.equal(sent(link, MsgType.DISCOVERY_REPLY).length, 0, 'nothing else answered');

        // 2. The refused reference app keeps working, with an app that accepts its issuer.
        const lenientSide = echo(lenient, 2);
        const got = await refbad.run<string[]>(
          REF_P2P_INITIATE,
          { target: 'lenient', n: 2, mls: false, reliable: true },
          LONG,
        );
        assert.deepEqual(got, ['re:m0', 're:m1']);
        assert.deepEqual(await lenientSide, ['m0', 'm1']);

        // 3. A trusted reference app opens a session to ours right after: messages both ways.
        const ourSide = echo(ours, 2);
        const good = await refgood.run<string[]>(
          REF_P2P_INITIATE,
          { target: 'ours', n: 2, mls: true, reliable: true },
          LONG,
        );
        assert.deepEqual(good, ['re:m0', 're:m1']);
        assert.deepEqual(await ourSide, ['m0', 'm1']);
      },
    );
  });
}
