// Component: what a hostile or confused network can hand the MLS layer. Garbage, truncated and
// tampered bytes, a message of the wrong kind, from another group or from an epoch the member
// has not reached, commits out of order or twice, a Welcome meant for someone else, a KeyPackage
// that is not yet valid: each is a typed GatewayError ('MLS' or 'AUTH'), never a crash, and the
// group is unchanged (it still reads the next good message and still applies the right commit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  generateKeyPackageWithKey,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  encodeMlsMessage,
} from 'ts-mls';
import { inspectMlsMessage } from '../../src/slim/mls/index.js';
import { nativeCryptoProvider } from '../../src/slim/mls/crypto/index.js';
import { CAPABILITIES } from '../../src/slim/mls/profile.js';
import { addMember, exchange, makeApp, text } from '../support/mls-apps.js';
import type { Member } from '../support/mls-apps.js';

async function trio(): Promise<{ mod: Member; p1: Member; p2: Member }> {
  const modApp = await makeApp('mod');
  const mod: Member = { app: modApp, group: await modApp.client.createGroup() };
  const p1 = await addMember(mod, [], await makeApp('p1'));
  const p2 = await addMember(mod, [p1], await makeApp('p2', { crypto: 'default' }));
  return { mod, p1, p2 };
}

test('decrypt: garbage, truncation, tampering, wrong kind, another group: MLS, state unchanged', async () => {
  const { mod, p1, p2 } = await trio();
  const good = await mod.group.encrypt(text('good'), text('aad'));
  const tampered = new Uint8Array(good);
  tampered[tampered.length - 5]! ^= 0x40;
  const other = await makeApp('other');
  const otherGroup = await other.client.createGroup();
  const foreign = await otherGroup.encrypt(text('elsewhere'), new Uint8Array());
  const commitLike = (
    await mod.group.addMember((await (await makeApp('p3')).client.prepareJoin()).keyPackage)
  ).commit;
  const bad: [string, Uint8Array][] = [
    ['empty', new Uint8Array()],
    ['garbage', randomBytes(300)],
    ['truncated', good.subarray(0, good.length - 20)],
    ['trailing bytes', new Uint8Array([...good, 0])],
    ['tampered ciphertext', tampered],
    ['a commit', commitLike],
    ['a KeyPackage', (await other.client.prepareJoin()).keyPackage],
    ['another group', foreign],
  ];
  for (const [what, bytes] of bad) {
    const epoch = p1.group.epoch;
    await assert.rejects(p1.group.decrypt(bytes), { code: 'MLS' }, what);
    assert.equal(p1.group.epoch, epoch, what);
  }
  // Untouched by all of that: p1 reads the good message (epoch 2) and applies the pending commit.
  assert.equal(new TextDecoder().decode((await p1.group.decrypt(good)).plaintext), 'good');
  await p1.group.applyCommit(commitLike);
  await p2.group.applyCommit(commitLike);
  await exchange(mod, [p1, p2], 'after the noise');
});

test('decrypt from an epoch not reached yet fails; after the commit it succeeds', async () => {
  const { mod, p1, p2 } = await trio();
  const add = await mod.group.addMember((await (await makeApp('p3')).client.prepareJoin()).keyPackage);
  const ahead = await mod.group.encrypt(text('epoch 3'), new Uint8Array());
  assert.equal(inspectMlsMessage(ahead).epoch, 3n);
  await assert.rejects(p1.group.decrypt(ahead), { code: 'MLS', message: /future epoch/ });
  await p1.group.applyCommit(add.commit);
  assert.equal(new TextDecoder().decode((await p1.group.decrypt(ahead)).plaintext), 'epoch 3');
  await p2.group.applyCommit(add.commit);
  assert.equal(new TextDecoder().decode((await p2.group.decrypt(ahead)).plaintext), 'epoch 3');
});

test('commits out of order, twice, tampered, or not commits at all: MLS, then the right order works', async () => {
  const { mod, p1, p2 } = await trio();
  const c3 = await mod.group.addMember((await (await makeApp('p3')).client.prepareJoin()).keyPackage);
  const c4 = await mod.group.removeMember(p2.app.identity.tokenId);
  await assert.rejects(p1.group.applyCommit(c4.commit), { code: 'MLS', message: /epoch 3, group is at 2/ });
  const tampered = new Uint8Array(c3.commit);
  tampered[tampered.length - 10]! ^= 1;
  await assert.rejects(p1.group.applyCommit(tampered), { code: 'MLS' });
  await assert.rejects(p1.group.applyCommit(randomBytes(100)), { code: 'MLS' });
  await assert.rejects(p1.group.applyCommit(c3.welcome), { code: 'MLS', message: /expected/ });
  const app = await mod.group.encrypt(text('x'), new Uint8Array());
  await assert.rejects(p1.group.applyCommit(app), { code: 'MLS', message: /not a commit/ });
  assert.equal(p1.group.epoch, 2n);
  await p1.group.applyCommit(c3.commit);
  await assert.rejects(p1.group.applyCommit(c3.commit), { code: 'MLS' }, 'a duplicate commit');
  await p1.group.applyCommit(c4.commit);
  assert.equal(p1.group.epoch, 4n);
  await exchange(mod, [p1], 'in order now');
});

test('join: garbage, a Welcome for someone else, and a second use of the KeyPackage are refused', async () => {
  const modApp = await makeApp('mod');
  const mod: Member = { app: modApp, group: await modApp.client.createGroup() };
  const mallory = await makeApp('mallory');
  const intercepted = await mallory.client.prepareJoin();
  const bob = await makeApp('bob');
  const pending = await bob.client.prepareJoin();
  const add = await mod.group.addMember(pending.keyPackage);
  await assert.rejects(intercepted.join(add.welcome), { code: 'MLS' });
  await assert.rejects(pending.join(randomBytes(64)), { code: 'MLS' });
  await assert.rejects(pending.join(add.commit), { code: 'MLS' });
  const b: Member = { app: bob, group: await pending.join(add.welcome) };
  await assert.rejects(pending.join(add.welcome), { code: 'INVALID_ARGUMENT' });
  await exchange(mod, [b], 'joined once');
});

test('addMember: garbage and non-KeyPackages are MLS; a KeyPackage not valid yet is AUTH or waited for', async () => {
  const modApp = await makeApp('mod');
  const mod: Member = { app: modApp, group: await modApp.client.createGroup() };
  await assert.rejects(mod.group.addMember(randomBytes(50)), { code: 'MLS' });
  await assert.rejects(mod.group.addMember(await mod.group.encrypt(text('x'), new Uint8Array())), {
    code: 'MLS',
  });

  // A peer whose clock runs ahead: its KeyPackage's lifetime starts in our future.
  const peer = await makeApp('peer');
  const cs = await getCiphersuiteImpl(
    getCiphersuiteFromName('MLS_128_DHKEMP256_AES128GCM_SHA256_P256'),
    nativeCryptoProvider,
  );
  const keyPackageStartingIn = async (seconds: number) => {
    const now = BigInt(Math.floor(Date.now() / 1000));
    const kp = await generateKeyPackageWithKey(
      { credentialType: 'basic', identity: text(peer.identity.token()) },
      CAPABILITIES,
      { notBefore: now + BigInt(seconds), notAfter: now + 86_400n },
      [],
      { signKey: peer.identity.signingKey.privateScalar, publicKey: peer.identity.signingKey.publicKey },
      cs,
    );
    return encodeMlsMessage({
      version: 'mls10',
      wireformat: 'mls_key_package',
      keyPackage: kp.publicPackage,
    });
  };
  await assert.rejects(mod.group.addMember(await keyPackageStartingIn(120)), {
    code: 'AUTH',
    message: /not valid yet/,
  });
  assert.equal(mod.group.epoch, 0n);
  const add = await mod.group.addMember(await keyPackageStartingIn(1)); // within the skew: waited for
  assert.equal(add.epoch, 1n);
});
