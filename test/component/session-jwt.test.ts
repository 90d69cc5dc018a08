// Sessions between our apps with JWT identities, on an in-memory fabric and a fake clock: a p2p
// session and an MLS group keep carrying messages past three token lifetimes while every side
// re-mints its token, the group still adds and removes members, and a peer whose key is not
// trusted never gets a session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair, exportJWK } from 'jose';
import { JwtIdentity, JwtVerifier, parsePrivateKey, publicOf } from '../../src/slim/auth/index.js';
import type { JwtPrivateKey } from '../../src/slim/auth/index.js';
import { parseName } from '../../src/slim/dataplane/name.js';
import { createMlsClient } from '../../src/slim/mls/index.js';
import { DiscoveryRefusedError, createSlimApp } from '../../src/slim/session/index.js';
import type { Session, SlimApp } from '../../src/slim/session/index.js';
import type { Link } from '../../src/slim/dataplane/link.js';
import { isGatewayError } from '../../src/util/errors.js';
import { FakeClock } from '../support/fake-clock.js';
import { MemoryFabric } from '../support/memory-fabric.js';
import { nextIncoming, take } from '../support/session-apps.js';

const LIFETIME = 600; // seconds
const ISS = 'https://id.acme.example';

async function signingKey(): Promise<JwtPrivateKey> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return parsePrivateKey(JSON.stringify(await exportJWK(privateKey)));
}

async function jwtApp(
  name: string,
  link: Link,
  key: JwtPrivateKey,
  trusted: JwtPrivateKey[],
  clock: FakeClock,
): Promise<SlimApp & { identity: JwtIdentity; verifier: JwtVerifier }> {
  const now = () => clock.now();
  const verifier = new JwtVerifier({
    keys: trusted.map(publicOf),
    issuers: [ISS],
    audience: 'slim',
    clock: now,
  });
  const identity = new JwtIdentity({
    source: { kind: 'key', key },
    subject: `acme/${name}`,
    issuer: ISS,
    audience: ['slim'],
    lifetimeSeconds: LIFETIME,
    clock: now,
    verifier,
  });
  const app = await createSlimApp({
    name: parseName(`org/ns/${name}`),
    link,
    identity,
    mls: () => createMlsClient({ identity, verifier: identity }),
    clock,
  });
  return Object.assign(app, { identity, verifier });
}

const fast = { intervalMs: 100, maxRetries: 3, setupTimeoutMs: 10_000 };

test('p2p and group sessions outlive three token lifetimes, every side rotating', async (t) => {
  const clock = new FakeClock();
  const fabric = new MemoryFabric();
  const keys = await Promise.all(['alice', 'bob', 'carol', 'dave', 'erin'].map(() => signingKey()));
  const [alice, bob, carol, dave, erin] = await Promise.all(
    ['alice', 'bob', 'carol', 'dave', 'erin'].map((n, i) => jwtApp(n, fabric.link(n), keys[i]!, keys, clock)),
  );
  const apps = [alice!, bob!, carol!, dave!, erin!];
  t.after(() => Promise.all(apps.map((a) => a.close())));
  const firstTokens = apps.map((a) => a.identity.token());

  const incoming = nextIncoming(bob!);
  const p2a = await alice!.createSession(parseName('org/ns/bob'), { kind: 'p2p', mls: true });
  const p2b = await incoming;
  const pa = p2a.messages()[Symbol.asyncIterator]();
  const pb = p2b.messages()[Symbol.asyncIterator]();

  const group = await alice!.createSession(parseName('org/ns/chan'), { kind: 'group', mls: true });
  const joins = [nextIncoming(carol!), nextIncoming(dave!)];
  await group.invite(parseName('org/ns/carol'));
  await group.invite(parseName('org/ns/dave'));
  const [gc, gd] = (await Promise.all(joins)) as [Session, Session];
  const ic = gc.messages()[Symbol.asyncIterator]();
  const id = gd.messages()[Symbol.asyncIterator]();

  // Seven half-lifetimes (3.5 lifetimes): heartbeats run, tokens are re-minted at 4/5 of their life.
  for (let step = 1; step <= 7; step++) {
    await clock.advance((LIFETIME / 2) * 1000, 1000);
    await p2a.publish(Buffer.from(`a${step}`));
    await p2b.publish(Buffer.from(`b${step}`));
    assert.deepEqual(await take(pb, 1), [`a${step}`]);
    assert.deepEqual(await take(pa, 1), [`b${step}`]);
    await group.publish(Buffer.from(`g${step}`));
    await gd.publish(Buffer.from(`d${step}`));
    assert.deepEqual(await take(ic, 2), [`g${step}`, `d${step}`]);
    assert.deepEqual(await take(id, 1), [`g${step}`]);
  }
  for (const [i, a] of apps.entries()) assert.notEqual(a.identity.token(), firstTokens[i], 'token re-minted');

  // The group still changes: a newcomer joins (its fresh token admitted, the old leaves checked
  // as of their own issue time), and a member is removed.
  const ie = nextIncoming(erin!);
  await group.invite(parseName('org/ns/erin'));
  const ge = await ie;
  const iee = ge.messages()[Symbol.asyncIterator]();
  await group.remove(parseName('org/ns/carol'));
  await group.publish(Buffer.from('after changes'));
  assert.deepEqual(await take(iee, 1), ['after changes']);
  assert.deepEqual(await take(id, 1), ['after changes']);
  // One signature check per token, not per frame.
  assert.ok(bob!.verifier.stats.cacheHits > bob!.verifier.stats.signatureChecks);
});

test('a peer whose key is not trusted never gets a session, in either role', async (t) => {
  const clock = new FakeClock();
  const fabric = new MemoryFabric();
  const [kb, km] = [await signingKey(), await signingKey()];
  const bob = await jwtApp('bob', fabric.link('bob'), kb, [kb], clock);
  const mallory = await jwtApp('mallory', fabric.link('mallory'), km, [km, kb], clock);
  t.after(() => Promise.all([bob.close(), mallory.close()]));
  const attempt = mallory.createSession(parseName('org/ns/bob'), { kind: 'p2p', mls: true, ...fast });
  void clock.advance(10_000);
  // bob refuses mallory's discovery with a signed refusal, which mallory (trusting bob) verifies.
  await assert.rejects(
    attempt,
    (e: unknown) => e instanceof DiscoveryRefusedError && isGatewayError(e, 'AUTH'),
  );
  const back = bob.createSession(parseName('org/ns/mallory'), { kind: 'p2p', mls: true, ...fast });
  void clock.advance(10_000);
  // mallory trusts bob and answers; bob refuses mallory's reply (and so never opens the session).
  await assert.rejects(back, (e: unknown) => isGatewayError(e));
  assert.equal(bob.verifier.stats.cacheHits + bob.verifier.stats.signatureChecks > 0, true);
});
