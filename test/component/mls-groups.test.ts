// Component: MLS groups between our own clients, as the session layer drives them. P2P and
// groups of 3+ with adds, removes and rejoins, in every mix of the native and the default crypto
// provider; a removed member reads nothing sent after its removal; the owner of a group runs
// overlapping calls in call order and refuses work once closed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CryptoKind } from '../../src/slim/mls/index.js';
import { addMember, exchange, makeApp, text } from '../support/mls-apps.js';
import type { Member } from '../support/mls-apps.js';

const MIXES: [CryptoKind, CryptoKind][] = [
  ['native', 'native'],
  ['native', 'default'],
  ['default', 'native'],
];

for (const [modCrypto, partCrypto] of MIXES) {
  test(`p2p: moderator ${modCrypto}, participant ${partCrypto}: both directions`, async () => {
    const alice = await makeApp('alice', { crypto: modCrypto });
    const bob = await makeApp('bob', { crypto: partCrypto });
    const a: Member = { app: alice, group: await alice.client.createGroup() };
    assert.equal(a.group.epoch, 0n);
    assert.deepEqual(a.group.memberIdentities(), [alice.identity.tokenId]);
    const b = await addMember(a, [], bob);
    assert.equal(b.group.epoch, 1n);
    assert.deepEqual(
      b.group.memberIdentities().sort(),
      [alice.identity.tokenId, bob.identity.tokenId].sort(),
    );
    for (let i = 0; i < 3; i++) {
      await exchange(a, [b], `hi${i}`);
      await exchange(b, [a], `echo:hi${i}`);
    }
  });
}

test('group of 4 (mixed providers): add, everyone talks, remove, removed member reads nothing after', async () => {
  const mod: Member = { app: await makeApp('mod'), group: undefined! };
  mod.group = await mod.app.client.createGroup();
  const p1 = await addMember(mod, [], await makeApp('p1', { crypto: 'default' }));
  const p2 = await addMember(mod, [p1], await makeApp('p2'));
  const p3 = await addMember(mod, [p1, p2], await makeApp('p3', { crypto: 'default' }));
  const all = [mod, p1, p2, p3];
  assert.equal(mod.group.memberIdentities().length, 4);
  for (const m of all) assert.equal(m.group.epoch, 3n);
  for (const sender of all)
    await exchange(
      sender,
      all.filter((m) => m !== sender),
      `from ${sender.app.name}`,
    );

  const removal = await mod.group.removeMember(p2.app.identity.tokenId);
  assert.equal(removal.epoch, 4n);
  for (const m of [p1, p3]) await m.group.applyCommit(removal.commit);
  await p2.group.applyCommit(removal.commit); // the removed member sees its own removal
  const rest = [mod, p1, p3];
  assert.ok(!mod.group.memberIdentities().includes(p2.app.identity.tokenId));
  for (const sender of rest) {
    const ct = await exchange(
      sender,
      rest.filter((m) => m !== sender),
      `after removal from ${sender.app.name}`,
    );
    await assert.rejects(p2.group.decrypt(ct), { code: 'MLS' });
  }
  await assert.rejects(p2.group.encrypt(text('still here?'), new Uint8Array()), { code: 'MLS' });
});

test('rejoin: one commit replaces a member leaf; a removed member can be added back', async () => {
  const mod: Member = { app: await makeApp('mod'), group: undefined! };
  mod.group = await mod.app.client.createGroup();
  const p1 = await addMember(mod, [], await makeApp('p1'));
  const p2 = await addMember(mod, [p1], await makeApp('p2', { crypto: 'default' }));

  // p2 lost its state (missed an epoch): it asks to rejoin with a fresh KeyPackage.
  const pending = await p2.app.client.prepareJoin();
  const rejoin = await mod.group.rejoinMember(p2.app.identity.tokenId, pending.keyPackage);
  assert.equal(rejoin.memberIdentity, p2.app.identity.tokenId);
  await p1.group.applyCommit(rejoin.commit);
  const p2again: Member = { app: p2.app, group: await pending.join(rejoin.welcome) };
  assert.equal(mod.group.memberIdentities().length, 3);
  const all = [mod, p1, p2again];
  for (const s of all)
    await exchange(
      s,
      all.filter((m) => m !== s),
      `after rejoin from ${s.app.name}`,
    );
  // The old state of p2 is from a past epoch and cannot read the new traffic.
  const ct = await mod.group.encrypt(text('x'), new Uint8Array());
  await assert.rejects(p2.group.decrypt(ct), { code: 'MLS' });

  // Remove p1, then add it back from a fresh KeyPackage.
  const rm = await mod.group.removeMember(p1.app.identity.tokenId);
  await p2again.group.applyCommit(rm.commit);
  const p1back = await addMember(mod, [p2again], p1.app);
  const again = [mod, p2again, p1back];
  for (const s of again)
    await exchange(
      s,
      again.filter((m) => m !== s),
      `back from ${s.app.name}`,
    );

  await assert.rejects(
    mod.group.rejoinMember(p1.app.identity.tokenId, (await p2.app.client.prepareJoin()).keyPackage),
    { code: 'AUTH' },
    'a rejoin KeyPackage must carry the same identity',
  );
  await assert.rejects(mod.group.removeMember('org/ns/nobody_00000000'), { code: 'NOT_FOUND' });
  await assert.rejects(mod.group.removeMember(mod.app.identity.tokenId), { code: 'INVALID_ARGUMENT' });
  const dup = await p1.app.client.prepareJoin();
  await assert.rejects(mod.group.addMember(dup.keyPackage), { code: 'MLS' }, 'an identity is added once');
});

test('generations: late and out-of-order messages decrypt; a 900-message gap is crossed', async () => {
  const a: Member = { app: await makeApp('a'), group: undefined! };
  a.group = await a.app.client.createGroup();
  const b = await addMember(a, [], await makeApp('b'));
  const first = await a.group.encrypt(text('one'), new Uint8Array());
  const second = await a.group.encrypt(text('two'), new Uint8Array());
  assert.equal(new TextDecoder().decode((await b.group.decrypt(second)).plaintext), 'two');
  assert.equal(new TextDecoder().decode((await b.group.decrypt(first)).plaintext), 'one');
  await assert.rejects(b.group.decrypt(first), { code: 'MLS' }, 'a replayed message is refused');
  // publish_to to others and losses advance the sender's generation for this member.
  for (let i = 0; i < 900; i++) await a.group.encrypt(text('unseen'), new Uint8Array());
  await exchange(a, [b], 'after the gap');
});

test('a message from the previous epoch still decrypts after a commit (late delivery)', async () => {
  const mod: Member = { app: await makeApp('mod'), group: undefined! };
  mod.group = await mod.app.client.createGroup();
  const p1 = await addMember(mod, [], await makeApp('p1'));
  const late = await p1.group.encrypt(text('sent before the commit'), new Uint8Array());
  await addMember(mod, [p1], await makeApp('p2'));
  const d = await mod.group.decrypt(late);
  assert.equal(new TextDecoder().decode(d.plaintext), 'sent before the commit');
  assert.equal(d.epoch, 1n);
  assert.equal(d.senderIdentity, p1.app.identity.tokenId);
});

test('the owner runs overlapping calls in call order; close rejects queued and later work', async () => {
  const a: Member = { app: await makeApp('a'), group: undefined! };
  a.group = await a.app.client.createGroup();
  const b = await addMember(a, [], await makeApp('b'));
  const sent = await Promise.all(
    Array.from({ length: 20 }, (_, i) => a.group.encrypt(text(`m${i}`), new Uint8Array())),
  );
  const read = await Promise.all(sent.map((ct) => b.group.decrypt(ct)));
  assert.deepEqual(
    read.map((d) => new TextDecoder().decode(d.plaintext)),
    Array.from({ length: 20 }, (_, i) => `m${i}`),
  );
  const queued = Array.from({ length: 5 }, () => a.group.encrypt(text('late'), new Uint8Array()));
  a.group.close();
  a.group.close(); // idempotent
  const outcomes = await Promise.allSettled(queued);
  assert.ok(
    outcomes.every((o) => o.status === 'rejected' && (o.reason as { code?: string }).code === 'CLOSED'),
  );
  await assert.rejects(a.group.encrypt(text('x'), new Uint8Array()), { code: 'CLOSED' });
  await assert.rejects(a.group.addMember(new Uint8Array([1])), { code: 'CLOSED' });
  assert.throws(() => a.group.epoch, { code: 'CLOSED' });
  // The peer is unaffected.
  await b.group.encrypt(text('alone'), new Uint8Array());
});

test('joins a tree whose leaves are unmerged at different depths (adds after a remove)', async () => {
  // The reference adds without an UpdatePath and removes with one; after a remove, later adds
  // leave their leaves "unmerged" at different levels of the moderator's path. RFC 9420 §7.9.2
  // allows that; ts-mls 1.6.4's own Welcome processing refuses it (see src/slim/mls/join.ts).
  const mod: Member = { app: await makeApp('mod'), group: undefined! };
  mod.group = await mod.app.client.createGroup();
  const members: Member[] = [];
  for (let i = 0; i < 10; i++) members.push(await addMember(mod, members, await makeApp(`p${i}`)));
  const rm = await mod.group.removeMember(members[1]!.app.identity.tokenId);
  for (const m of members) await m.group.applyCommit(rm.commit);
  const stay = members.filter((_, i) => i !== 1);
  stay.push(await addMember(mod, stay, members[1]!.app)); // lands in the freed leaf, low in the tree
  stay.push(await addMember(mod, stay, await makeApp('late1'))); // lands at the right edge
  stay.push(await addMember(mod, stay, await makeApp('late2')));
  await exchange(mod, stay, 'everyone in');
  await exchange(stay[stay.length - 1]!, [mod, ...stay.slice(0, -1)], 'from the last joiner');
  // A commit with a path now encrypts to resolutions that include the unmerged leaves.
  const gone = stay.splice(4, 1)[0]!;
  const rm2 = await mod.group.removeMember(gone.app.identity.tokenId);
  for (const m of [...stay, gone]) await m.group.applyCommit(rm2.commit);
  const ct = await exchange(
    stay[stay.length - 2]!,
    [mod, ...stay.filter((_, i) => i !== stay.length - 2)],
    'after',
  );
  await assert.rejects(gone.group.decrypt(ct), { code: 'MLS' });
  stay.push(await addMember(mod, stay, await makeApp('late3')));
  await exchange(stay[stay.length - 1]!, [mod, ...stay.slice(0, -1)], 'and one more');
});
