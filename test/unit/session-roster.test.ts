// The session roster as plain data: members by base name in joining order (the order GROUP_WELCOME
// and GROUP_UPDATE list them), exact-name lookups for frame sources, online/offline marking that
// says whether anything changed, the others a group-wide request waits for, and the moderator's
// MLS identities.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseName, makeName, nameKey } from '../../src/slim/dataplane/name.js';
import type { SlimName } from '../../src/slim/dataplane/name.js';
import type { Member } from '../../src/slim/session/frames.js';
import { Roster } from '../../src/slim/session/roster.js';

const me = makeName('org', 'ns', 'me', 1n);
const bob = makeName('org', 'ns', 'bob', 2n);
const carol = makeName('org', 'ns', 'carol', 3n);

function member(name: SlimName, online = true): Member {
  return { name, sendsData: true, receivesData: true, online };
}

test('roster: members in joining order, found by base name, by exact name and by key', () => {
  const r = new Roster(me);
  r.join(member(me));
  r.join(member(carol));
  r.join(member(bob));
  assert.equal(r.size, 3);
  assert.deepEqual(
    r.all().map((m) => baseName(m.name)),
    ['org/ns/me', 'org/ns/carol', 'org/ns/bob'],
  );
  // Another instance of bob: the same member by base name, not by exact name or key.
  const otherBob = makeName('org', 'ns', 'bob', 99n);
  assert.equal(r.get(otherBob)?.name, bob);
  assert.equal(r.has(otherBob), true);
  assert.equal(r.exact(otherBob), undefined);
  assert.equal(r.exact(bob)?.name, bob);
  assert.equal(r.byKey(nameKey(bob))?.name, bob);
  assert.equal(r.byKey(nameKey(otherBob)), undefined);
  assert.equal(r.isLocal(me), true);
  assert.equal(r.isLocal(bob), false);
});

test('roster: a member joining again under its base name replaces its entry in place', () => {
  const r = new Roster(me);
  r.join(member(bob));
  r.join(member(carol));
  const bob2 = makeName('org', 'ns', 'bob', 7n);
  r.join(member(bob2, false));
  assert.equal(r.size, 2);
  assert.deepEqual(
    r.all().map((m) => m.name),
    [bob2, carol],
  );
  assert.equal(r.get(bob)?.online, false);
});

test('roster: leaving returns the member once; the others exclude us and whoever is offline', () => {
  const r = new Roster(me);
  for (const n of [me, bob, carol]) r.join(member(n));
  assert.deepEqual(r.othersKeys(), [nameKey(bob), nameKey(carol)]);
  assert.equal(r.leave(bob)?.name, bob);
  assert.equal(r.leave(bob), undefined);
  assert.equal(r.has(bob), false);
  assert.deepEqual(
    r.others().map((m) => m.name),
    [carol],
  );
  r.markOffline(r.get(carol)!);
  assert.deepEqual(r.othersKeys(), []);
  assert.deepEqual(r.online(), [me]);
});

test('roster: offline and online marking reports whether anything changed', () => {
  const r = new Roster(me);
  r.join(member(bob));
  const b = r.get(bob)!;
  assert.equal(r.markOnline(b), false); // already online
  assert.equal(r.markOffline(b), true);
  assert.equal(r.markOffline(b), false); // already offline
  assert.deepEqual(r.online(), []);
  assert.equal(r.markOnline(b), true);
  assert.deepEqual(r.online(), [bob]);
});

test('roster: MLS identities by base name, kept across a leave until forgotten', () => {
  const r = new Roster(me);
  r.join(member(bob));
  assert.equal(r.identity(bob), undefined);
  r.setIdentity(bob, 'leaf-bob');
  assert.equal(r.identity(makeName('org', 'ns', 'bob', 5n)), 'leaf-bob');
  r.leave(bob);
  // The moderator removes the leaf after taking the member out: the identity must still be there.
  assert.equal(r.identity(bob), 'leaf-bob');
  r.forgetIdentity(bob);
  assert.equal(r.identity(bob), undefined);
  r.setIdentity(carol, 'leaf-carol');
  r.setIdentity(carol, 'leaf-carol-2'); // a rejoin replaces the leaf
  assert.equal(r.identity(carol), 'leaf-carol-2');
});
