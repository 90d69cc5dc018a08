// Interop of MLS groups with JWT identities (ES256, one JWKS file) with the reference, on our node
// and on the reference node: our moderator with a reference member and one of ours (deliver both
// ways, add a second reference member, remove ours), and a reference moderator with our
// participant. Every MLS credential is a JWT whose `pubkey` claim binds the leaf key, checked by
// both implementations. Fails (never skips) when the reference cannot load.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { baseName, parseName } from '../../src/slim/dataplane/name.js';
import type { ReferencePeer } from '../support/reference.js';
import { jwtWorld, ourJwtApp, refJwtArgs, referenceJwtApp } from '../support/reference-jwt.js';
import {
  REF_GROUP_CREATE,
  REF_GROUP_MEMBER,
  REF_INVITE,
  REF_SAY,
  REF_STOP,
  refGot,
  refTexts,
  startNode,
} from '../support/reference-sessions.js';
import type { NodeKind } from '../support/reference-sessions.js';
import { nextIncoming, take } from '../support/session-apps.js';

const LONG = 120_000;
const HANG_GUARD = { timeout: 240_000 };

for (const kind of ['ours', 'reference'] as NodeKind[]) {
  const where = kind === 'ours' ? 'our' : 'the reference';
  describe(`MLS groups with JWT identities and the reference, on ${where} node`, () => {
    test(
      'our moderator, a reference member and ours: deliver, add a reference member, remove ours',
      HANG_GUARD,
      async (t) => {
        const world = await jwtWorld(['acme/gmod', 'acme/gp', 'acme/refa', 'acme/refb']);
        const node = await startNode(kind);
        const p = (s: string) => world.parties.get(s)!;
        const mod = await ourJwtApp('org/ns/gmod', node.link(), world, p('acme/gmod'));
        const ours = await ourJwtApp('org/ns/gp', node.link(), world, p('acme/gp'));
        const [ra, rb] = (await Promise.all([
          referenceJwtApp(node, 'refa', refJwtArgs(world, p('acme/refa'))),
          referenceJwtApp(node, 'refb', refJwtArgs(world, p('acme/refb'))),
        ])) as [ReferencePeer, ReferencePeer];
        t.after(async () => {
          await Promise.allSettled([mod.close(), ours.close()]);
          await Promise.allSettled([ra, rb].map((r) => r.stop()));
          await node.close();
          world.close();
        });
        const tag = 'J';
        const memberA = ra.run(REF_GROUP_MEMBER, { tag, me: 'refa' }, LONG);
        const incoming = nextIncoming(ours, 60_000);
        const group = await mod.createSession(parseName('org/ns/chanj'), { kind: 'group', mls: true });
        await group.invite(parseName('org/ns/refa'));
        await group.invite(parseName('org/ns/gp'));
        const [sp] = await Promise.all([incoming, memberA]);
        const itMod = group.messages()[Symbol.asyncIterator]();
        const itOurs = sp.messages()[Symbol.asyncIterator]();

        await group.publish(Buffer.from('j-1'));
        await refGot(ra, tag, 'j-1');
        assert.deepEqual(await take(itOurs, 1), ['j-1']);
        await ra.run(REF_SAY, { tag, text: 'refa-1' }, LONG);
        assert.deepEqual(await take(itMod, 1), ['refa-1']);
        assert.deepEqual(await take(itOurs, 1), ['refa-1']);
        await sp.publish(Buffer.from('gp-1'));
        await refGot(ra, tag, 'gp-1');
        assert.deepEqual(await take(itMod, 1), ['gp-1']);

        const memberB = rb.run(REF_GROUP_MEMBER, { tag, me: 'refb' }, LONG);
        assert.equal(baseName(await group.invite(parseName('org/ns/refb'))), 'org/ns/refb');
        await memberB;
        await group.remove(parseName('org/ns/gp'));
        await group.publish(Buffer.from('j-2'));
        await Promise.all([refGot(ra, tag, 'j-2'), refGot(rb, tag, 'j-2')]);
        await rb.run(REF_SAY, { tag, text: 'refb-1' }, LONG);
        assert.deepEqual(await take(itMod, 1), ['refb-1']);
        await refGot(ra, tag, 'refb-1');
        assert.deepEqual(group.participants().map(baseName).sort(), [
          'org/ns/gmod',
          'org/ns/refa',
          'org/ns/refb',
        ]);
        for (const r of [ra, rb]) await r.run(REF_STOP, { tag });
      },
    );

    test('a reference moderator with our participant', HANG_GUARD, async (t) => {
      const world = await jwtWorld(['acme/refmod', 'acme/gq']);
      const node = await startNode(kind);
      const p = (s: string) => world.parties.get(s)!;
      const ours = await ourJwtApp('org/ns/gq', node.link(), world, p('acme/gq'));
      const refmod = await referenceJwtApp(node, 'refmod', refJwtArgs(world, p('acme/refmod')));
      t.after(async () => {
        await ours.close();
        await refmod.stop();
        await node.close();
        world.close();
      });
      const tag = 'K';
      const incoming = nextIncoming(ours, 60_000);
      await refmod.run(REF_GROUP_CREATE, { channel: 'chank', tag, mls: true, me: 'refmod' }, LONG);
      await refmod.run(REF_INVITE, { tag, name: 'gq' }, LONG);
      const s = await incoming;
      assert.equal(s.mls, true);
      const it = s.messages()[Symbol.asyncIterator]();
      await refmod.run(REF_SAY, { tag, text: 'k-1' }, LONG);
      assert.deepEqual(await take(it, 1), ['k-1']);
      await s.publish(Buffer.from('gq-1'));
      await refGot(refmod, tag, 'gq-1');
      assert.deepEqual(refTexts(refmod, tag), ['gq-1']);
      await refmod.run(REF_STOP, { tag });
    });
  });
}
