// Test apps for the MLS layer: an identity (shared secret, signing key, optional fake clock) and
// its MLS client, plus small helpers to build groups and check that every member reads a message.
import assert from 'node:assert/strict';
import { SharedSecretIdentity, mintToken } from '../../src/slim/auth/index.js';
import type { Clock, IdentityProvider, IdentityVerifier } from '../../src/slim/auth/index.js';
import { createMlsClient } from '../../src/slim/mls/index.js';
import type { CryptoKind, MlsClient, MlsGroup } from '../../src/slim/mls/index.js';

export const SECRET = 'a-very-long-shared-secret-0123456789abcdef';

export interface App {
  name: string;
  identity: SharedSecretIdentity;
  client: MlsClient;
}

/** A settable clock shared by the apps of one test (epoch milliseconds). */
export class FakeClock {
  constructor(public ms: number = Date.now()) {}
  readonly now: Clock = () => this.ms;
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export async function makeApp(
  name: string,
  options: { crypto?: CryptoKind; clock?: Clock; secret?: string; verifier?: IdentityVerifier } = {},
): Promise<App> {
  const identity = new SharedSecretIdentity({
    baseName: `org/ns/${name}`,
    secret: options.secret ?? SECRET,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const client = await createMlsClient({
    identity,
    verifier: options.verifier ?? identity,
    crypto: options.crypto ?? 'native',
  });
  return { name, identity, client };
}

/** An identity whose tokens claim another public key than the one it signs with. */
export function lyingIdentity(honest: SharedSecretIdentity, claimed: Uint8Array): IdentityProvider {
  return {
    tokenId: honest.tokenId,
    signingKey: honest.signingKey,
    token: () => mintToken(honest.tokenId, SECRET, claimed, Date.now() / 1000),
  };
}

export interface Member {
  app: App;
  group: MlsGroup;
}

/** The moderator adds `joiner`; every existing participant applies the commit. */
export async function addMember(moderator: Member, others: Member[], joiner: App): Promise<Member> {
  const pending = await joiner.client.prepareJoin();
  const add = await moderator.group.addMember(pending.keyPackage);
  assert.equal(add.memberIdentity, joiner.identity.tokenId);
  for (const m of others) await m.group.applyCommit(add.commit);
  const group = await pending.join(add.welcome);
  assert.equal(group.epoch, moderator.group.epoch);
  return { app: joiner, group };
}

const text = (s: string) => new TextEncoder().encode(s);

/** `sender` encrypts; every reader decrypts the same plaintext, AAD and sender identity. */
export async function exchange(sender: Member, readers: Member[], body: string): Promise<Uint8Array> {
  const aad = text(`aad:${body}`);
  const ct = await sender.group.encrypt(text(body), aad);
  for (const r of readers) {
    const d = await r.group.decrypt(ct);
    assert.equal(new TextDecoder().decode(d.plaintext), body, `${r.app.name} reads ${sender.app.name}`);
    assert.deepEqual(d.authenticatedData, aad);
    assert.equal(d.senderIdentity, sender.app.identity.tokenId);
    assert.equal(d.epoch, sender.group.epoch);
  }
  return ct;
}

export { text };
