// What a reference app (bindings 2.1.2) puts in its session tokens when its `IdentityProviderConfig.Jwt`
// asks for a short lifetime (`ClientJwtAuth.duration`, 3 s here): the binding builds the session
// identity with `get_provider()`, which does not pass the duration on, so every token lives the
// builder's default 3600 s whatever the configuration says (the duration only reaches the link's
// bearer tokens). A reference peer therefore cannot be made to rotate its session tokens within a
// bounded test; what it does do is mint a fresh token (new `iat`) as time passes, and our app,
// verifying with no clock skew, accepts each one in a point-to-point MLS session that stays up,
// messages both ways. If a later binding honours the duration, the lifetime assertion fails and a
// rotation test across lifetimes becomes possible (docs/security.md, "What the reference does").
// Fails (never skips) when the reference cannot load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeJwt } from '../../src/slim/auth/jwt.js';
import { baseName, parseName } from '../../src/slim/dataplane/name.js';
import { decodeMessage } from '../../src/slim/proto/index.js';
import { readFrame } from '../../src/slim/session/frames.js';
import { jwtWorld, ourJwtApp, refJwtArgs, referenceJwtApp } from '../support/reference-jwt.js';
import { REF_GROUP_MEMBER, REF_SAY, REF_STOP, refGot, startNode } from '../support/reference-sessions.js';
import { take } from '../support/session-apps.js';
import { TapLink } from '../support/tap-link.js';

const LONG = 60_000;
const ROUNDS = 3;

/** `iat` and `exp` of every token the reference app put on frames that reached us. */
function referenceTokens(link: TapLink): { iat: number; exp: number }[] {
  const out: { iat: number; exp: number }[] = [];
  for (const b of link.fromNode) {
    const f = readFrame(decodeMessage(b));
    if (!f || baseName(f.source) !== 'org/ns/refrot' || !f.identity) continue;
    const p = decodeJwt(f.identity).payload;
    out.push({ iat: Number(p['iat']), exp: Number(p['exp']) });
  }
  return out;
}

test(
  'a reference app asked for 3 s tokens signs 3600 s ones, re-minted as time passes',
  { timeout: 120_000 },
  async (t) => {
    const world = await jwtWorld(['acme/ours', 'acme/refrot']);
    const node = await startNode('ours');
    const link = new TapLink(node.link());
    const ours = await ourJwtApp('org/ns/ours', link, world, world.parties.get('acme/ours')!, {
      skewSeconds: 0,
    });
    const ref = await referenceJwtApp(
      node,
      'refrot',
      refJwtArgs(world, world.parties.get('acme/refrot')!, { durationMs: 3000 }),
    );
    t.after(async () => {
      await ours.close();
      await ref.stop();
      await node.close();
      world.close();
    });
    const member = ref.run(REF_GROUP_MEMBER, { tag: 'P', me: 'refrot' }, LONG);
    const p2p = await ours.createSession(parseName('org/ns/refrot'), { kind: 'p2p', mls: true });
    await member;
    const inbox = p2p.messages()[Symbol.asyncIterator]();
    for (let round = 0; round < ROUNDS; round++) {
      // A new second for each round: a token minted now has a new `iat`.
      const newest = Math.max(0, ...referenceTokens(link).map((s) => s.iat));
      while (Date.now() / 1000 < newest + 1) await sleep(100);
      await p2p.publish(Buffer.from(`p${round}`));
      await refGot(ref, 'P', `p${round}`);
      await ref.run(REF_SAY, { tag: 'P', text: `rp${round}` }, LONG);
      assert.deepEqual(await take(inbox, 1, LONG), [`rp${round}`]);
    }
    const seen = referenceTokens(link);
    for (const s of seen) assert.equal(s.exp - s.iat, 3600, 'the configured 3 s is not applied');
    assert.ok(new Set(seen.map((s) => s.iat)).size >= ROUNDS, 'fresh tokens, each accepted');
    await ref.run(REF_STOP, { tag: 'P' });
  },
);
