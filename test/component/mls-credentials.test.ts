// Component: credentials in MLS groups (docs/deviations.md#identity-and-mls). A moderator refuses
// KeyPackages whose token has the wrong MAC, is expired, is from the future beyond the skew, or
// claims another public key, and its group is unchanged afterwards. A joiner refuses a Welcome
// whose tree holds a forged credential. A group outlives the one-hour token validity: after the
// clock moves past an hour, members are still added and removed and traffic still flows, while a
// KeyPackage minted before the jump is now refused as expired.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSigningKey, verifyToken } from '../../src/slim/auth/index.js';
import type { IdentityVerifier } from '../../src/slim/auth/index.js';
import { createMlsClient } from '../../src/slim/mls/index.js';
import { FakeClock, SECRET, addMember, exchange, lyingIdentity, makeApp } from '../support/mls-apps.js';
import type { Member } from '../support/mls-apps.js';

async function moderated(): Promise<{ mod: Member; p1: Member }> {
  const modApp = await makeApp('mod');
  const mod: Member = { app: modApp, group: await modApp.client.createGroup() };
  const p1 = await addMember(mod, [], await makeApp('p1'));
  return { mod, p1 };
}

/** The moderator refuses `keyPackage` with AUTH matching `reason`, and nothing changed. */
async function refused(mod: Member, p1: Member, keyPackage: Uint8Array, reason: RegExp): Promise<void> {
  const before = { epoch: mod.group.epoch, members: mod.group.memberIdentities() };
  await assert.rejects(mod.group.addMember(keyPackage), { code: 'AUTH', message: reason });
  assert.equal(mod.group.epoch, before.epoch);
  assert.deepEqual(mod.group.memberIdentities(), before.members);
  await exchange(mod, [p1], 'still working');
}

test('a KeyPackage signed into the wrong shared secret is refused', async () => {
  const { mod, p1 } = await moderated();
  const stranger = await makeApp('stranger', { secret: 'another-shared-secret-of-enough-length-42' });
  await refused(mod, p1, (await stranger.client.prepareJoin()).keyPackage, /mismatch/);
});

test('an expired token (minted 2 h ago) and a token from the future beyond the skew are refused', async () => {
  const { mod, p1 } = await moderated();
  const old = await makeApp('old', { clock: () => Date.now() - 2 * 3600_000 });
  await refused(mod, p1, (await old.client.prepareJoin()).keyPackage, /expired/);
  const ahead = await makeApp('ahead', { clock: () => Date.now() + 60_000 });
  await refused(mod, p1, (await ahead.client.prepareJoin()).keyPackage, /future/);
  const slightlyAhead = await makeApp('skewed', { clock: () => Date.now() + 3_000 });
  await addMember(mod, [p1], slightlyAhead); // within the 5 s skew
});

test("a token whose public-key claim is not the leaf's signature key is refused", async () => {
  const { mod, p1 } = await moderated();
  const honest = await makeApp('liar');
  const liar = await createMlsClient({
    identity: lyingIdentity(honest.identity, generateSigningKey().publicKey),
    verifier: honest.identity,
  });
  await refused(mod, p1, (await liar.prepareJoin()).keyPackage, /public key claim/);
});

test('a joiner refuses a Welcome whose ratchet tree holds a forged credential', async () => {
  const trustsAnything: IdentityVerifier = {
    verify: (token) =>
      verifyToken(token, 'another-shared-secret-of-enough-length-42', Number(token.split(':')[1])),
  };
  const either: IdentityVerifier = { verify: (t, at) => lenient(t, at, trustsAnything) };
  const sloppy = await makeApp('sloppy', { verifier: either });
  const mod: Member = { app: sloppy, group: await sloppy.client.createGroup() };
  const forger = await makeApp('forger', {
    secret: 'another-shared-secret-of-enough-length-42',
    verifier: either,
  });
  await addMember(mod, [], forger); // the sloppy moderator lets it in
  const honest = await makeApp('honest');
  const pending = await honest.client.prepareJoin();
  const add = await mod.group.addMember(pending.keyPackage);
  await assert.rejects(pending.join(add.welcome), { code: 'AUTH', message: /mismatch/ });
});

/** Accepts tokens under either secret: a moderator that should not be trusted. */
function lenient(token: string, at: number | undefined, other: IdentityVerifier) {
  try {
    return verifyToken(token, SECRET, at ?? Math.floor(Date.now() / 1000));
  } catch {
    return other.verify(token, at);
  }
}

test('a group outlives the one-hour token validity: add, remove and traffic after 61 minutes', async () => {
  const clock = new FakeClock();
  const app = (name: string, crypto: 'native' | 'default' = 'native') =>
    makeApp(name, { clock: clock.now, crypto });
  const modApp = await app('mod');
  const mod: Member = { app: modApp, group: await modApp.client.createGroup() };
  const p1 = await addMember(mod, [], await app('p1', 'default'));
  const p2 = await addMember(mod, [p1], await app('p2'));
  const early = await app('early');
  const staleKeyPackage = (await early.client.prepareJoin()).keyPackage;

  clock.advance(61 * 60);

  // Every token in the tree is now older than an hour; a new member still joins (it validates
  // every leaf of the Welcome's tree) and existing members still process the commit.
  const p3 = await addMember(mod, [p1, p2], await app('p3', 'default'));
  const removal = await mod.group.removeMember(p1.app.identity.tokenId);
  for (const m of [p2, p3]) await m.group.applyCommit(removal.commit);
  const all = [mod, p2, p3];
  for (const s of all)
    await exchange(
      s,
      all.filter((m) => m !== s),
      `late ${s.app.name}`,
    );

  // Fresh credentials are still required of newcomers.
  await assert.rejects(mod.group.addMember(staleKeyPackage), { code: 'AUTH', message: /expired/ });
  clock.advance(3 * 3600);
  const p4 = await addMember(mod, [p2, p3], await app('p4'));
  await exchange(p4, [mod, p2, p3], 'four hours in');
});
