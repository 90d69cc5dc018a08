// Unit: JWT identities. Our tokens carry what the reference's carry and verify with an independent
// implementation (jose), jose-signed tokens verify with ours, every refusal names its reason, the
// verified-token cache spares repeated signature checks, key files are re-read when they change
// and a JWKS URL is fetched again (at a bounded rate) when a token names an unknown kid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, exportPKCS8, exportSPKI, generateKeyPair, importJWK, jwtVerify } from 'jose';
import {
  JwtIdentity,
  JwtSigner,
  JwtVerifier,
  SharedSecretIdentity,
  decodeJwt,
  parsePrivateKey,
  publicOf,
  tokenIssuedAt,
  tokenSubject,
} from '../../src/slim/auth/index.js';
import type { JwtPrivateKey } from '../../src/slim/auth/index.js';
import { isGatewayError } from '../../src/util/errors.js';

const ISS = 'https://id.acme.example';

async function es256(kid?: string) {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: 'ES256', ...(kid ? { kid } : {}) };
  const pub = { ...(await exportJWK(publicKey)), alg: 'ES256', ...(kid ? { kid } : {}) };
  return { privateKey, publicKey, jwk, pub, key: parsePrivateKey(JSON.stringify(jwk)) };
}

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'jwt-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(isGatewayError(err, 'AUTH'), `expected AUTH, got ${String(err)}`);
    return err.message;
  }
  assert.fail('expected a refusal');
}

test('our tokens carry the reference claims and verify with jose', async () => {
  const k = await es256();
  let now = 1_800_000_000_000;
  const id = new JwtIdentity({
    source: { kind: 'key', key: k.key },
    subject: 'acme/demo/gw',
    issuer: ISS,
    audience: ['slim'],
    lifetimeSeconds: 600,
    clock: () => now,
    verifier: new JwtVerifier({ keys: [publicOf(k.key)], clock: () => now }),
  });
  const token = id.token();
  const { header, payload } = decodeJwt(token);
  assert.deepEqual(header, { alg: 'ES256', kid: 'acme/demo/gw' });
  assert.deepEqual(Object.keys(payload).sort(), ['aud', 'exp', 'iat', 'iss', 'nbf', 'pubkey', 'sub']);
  assert.deepEqual(payload['aud'], ['slim']);
  assert.equal(payload['exp'], 1_800_000_000 + 600);
  assert.equal(payload['pubkey'], Buffer.from(id.signingKey.publicKey).toString('base64'));
  assert.equal(id.tokenId, 'acme/demo/gw', 'instance id: the hash of the subject, as the reference');
  const checked = await jwtVerify(token, k.publicKey, {
    issuer: ISS,
    audience: 'slim',
    currentDate: new Date(now),
  });
  assert.equal(checked.payload.sub, 'acme/demo/gw');
  assert.equal(tokenSubject(token), 'acme/demo/gw');
  assert.equal(tokenIssuedAt(token), 1_800_000_000);

  // Reused until 4/5 of the lifetime, then re-minted.
  now += 479_000;
  assert.equal(id.token(), token);
  now += 2_000;
  assert.notEqual(id.token(), token);
});

test('jose-signed tokens verify with ours; each refusal names its reason', async () => {
  const k = await es256('k1');
  const other = await es256('k1');
  const now = 1_800_000_000;
  const verifier = new JwtVerifier({
    keys: [publicOf(k.key)],
    issuers: [ISS],
    audience: 'slim',
    clock: () => now * 1000,
  });
  const make = (claims: Record<string, unknown>, key = k.privateKey, kid = 'k1') =>
    new SignJWT({ pubkey: 'AAAA', ...claims }).setProtectedHeader({ alg: 'ES256', kid }).sign(key);
  const good = await make({ iss: ISS, sub: 'acme/x', aud: ['slim'], iat: now, nbf: now, exp: now + 60 });
  const claims = verifier.verify(good);
  assert.equal(claims.identity, 'acme/x');
  assert.equal(claims.sub, 'acme/x');
  assert.equal(claims.pubkey, 'AAAA');

  const untrusted = await make({ iss: ISS, sub: 'x', aud: 'slim', exp: now + 60 }, other.privateKey);
  assert.match(
    refusal(() => verifier.verify(untrusted)),
    /untrusted key/,
  );
  const expired = await make({ iss: ISS, sub: 'x', aud: 'slim', exp: now - 61 });
  assert.match(
    refusal(() => verifier.verify(expired)),
    /expired/,
  );
  const skewed = await make({ iss: ISS, sub: 'x', aud: 'slim', exp: now - 59 });
  assert.equal(verifier.verify(skewed).sub, 'x'); // within the 60 s clock skew
  const early = await make({ iss: ISS, sub: 'x', aud: 'slim', nbf: now + 120, exp: now + 600 });
  assert.match(
    refusal(() => verifier.verify(early)),
    /not valid yet/,
  );
  const wrongAud = await make({ iss: ISS, sub: 'x', aud: ['other'], exp: now + 60 });
  assert.match(
    refusal(() => verifier.verify(wrongAud)),
    /audience "slim"/,
  );
  const wrongIss = await make({ iss: 'https://evil.example', sub: 'x', aud: 'slim', exp: now + 60 });
  assert.match(
    refusal(() => verifier.verify(wrongIss)),
    /issuer "https:\/\/evil.example" is not trusted/,
  );
  const noExp = await make({ iss: ISS, sub: 'x', aud: 'slim' });
  assert.match(
    refusal(() => verifier.verify(noExp)),
    /no expiry/,
  );
  assert.match(
    refusal(() => verifier.verify('not.a-token')),
    /not a JWT/,
  );
  assert.match(
    refusal(() => verifier.verify('a.b.c')),
    /malformed/,
  );
  const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`;
  assert.match(
    refusal(() => verifier.verify(none)),
    /algorithm none is not accepted/,
  );
  const hs = await new SignJWT({ sub: 'x', exp: now + 60 })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new Uint8Array(32));
  assert.match(
    refusal(() => verifier.verify(hs)),
    /HS256 is not accepted/,
  );
  // A shared-secret token is no JWT.
  const ss = new SharedSecretIdentity({
    baseName: 'acme/demo/a',
    secret: 'a-very-long-shared-secret-0123456789abcdef',
  });
  assert.match(
    refusal(() => verifier.verify(ss.token())),
    /malformed/,
  );
});

test('a repeated token costs one signature check; a repeated refusal none', async () => {
  const k = await es256();
  let now = 1_800_000_000_000;
  const verifier = new JwtVerifier({ keys: [publicOf(k.key)], clock: () => now });
  const signer = new JwtSigner({
    source: { kind: 'key', key: k.key },
    subject: 's',
    lifetimeSeconds: 100,
    clock: () => now,
  });
  const token = signer.current();
  for (let i = 0; i < 50; i++) verifier.verify(token);
  assert.equal(verifier.stats.signatureChecks, 1);
  assert.equal(verifier.stats.cacheHits, 49);
  const forged = `${token.slice(0, -4)}AAAA`;
  for (let i = 0; i < 5; i++) refusal(() => verifier.verify(forged));
  assert.equal(verifier.stats.signatureChecks, 2);
  // A cached token still expires.
  now += 161_000;
  assert.match(
    refusal(() => verifier.verify(token)),
    /expired/,
  );
  // The cache is bounded.
  const small = new JwtVerifier({ keys: [publicOf(k.key)], clock: () => now, cacheSize: 3 });
  for (let i = 0; i < 10; i++) {
    now += 1000;
    small.verify(signer.current());
    small.verify(
      new JwtSigner({ source: { kind: 'key', key: k.key }, subject: `s${i}`, clock: () => now }).current(),
    );
  }
  assert.ok(small.cachedTokens <= 3);
});

test('trusted key files: PEM, JWK and JWKS, re-read when they change', async (t) => {
  const dir = tempDir(t);
  const a = await es256('a');
  const b = await es256('b');
  const pem = join(dir, 'a.pem');
  writeFileSync(pem, await exportSPKI(a.publicKey));
  const jwks = join(dir, 'peers.jwks.json');
  writeFileSync(jwks, JSON.stringify({ keys: [] }));
  assert.throws(() => new JwtVerifier({ keyFiles: [jwks] }), /no keys/);
  writeFileSync(jwks, JSON.stringify({ keys: [a.pub] }));
  let now = 1_800_000_000_000;
  const verifier = new JwtVerifier({ keyFiles: [pem, jwks], clock: () => now, fileCheckIntervalMs: 1000 });
  const tokenB = new JwtSigner({
    source: { kind: 'key', key: b.key },
    subject: 'b',
    clock: () => now,
  }).current();
  assert.match(
    refusal(() => verifier.verify(tokenB)),
    /kid "b" unknown/,
  );
  writeFileSync(jwks, JSON.stringify({ keys: [a.pub, b.pub] }));
  utimesSync(jwks, new Date(), new Date(Date.now() + 5000));
  now += 1000;
  assert.equal(verifier.verify(tokenB).sub, 'b');
  // A PEM private key file signs; its public half verifies.
  const keyFile = join(dir, 'gw.pem');
  writeFileSync(keyFile, await exportPKCS8(a.privateKey));
  const fromFile = new JwtSigner({
    source: { kind: 'keyFile', path: keyFile },
    subject: 'gw',
    clock: () => now,
  });
  assert.equal(verifier.verify(fromFile.current()).sub, 'gw');
  assert.throws(() => new JwtVerifier({ keyFiles: [join(dir, 'missing.pem')] }), /cannot read/);
});

test('JWKS URL: fetched at start, fetched again on an unknown kid at a bounded rate', async (t) => {
  const a = await es256('a');
  const b = await es256('b');
  let served: unknown[] = [a.pub];
  let fetches = 0;
  const server = createServer((_req, res) => {
    fetches++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: served }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  let now = Date.now();
  const verifier = new JwtVerifier({ jwksUrl: url, clock: () => now, jwksRefreshMinIntervalMs: 10_000 });
  await verifier.ready();
  assert.equal(fetches, 1);
  const signerA = new JwtSigner({ source: { kind: 'key', key: a.key }, subject: 'a', clock: () => now });
  assert.equal(verifier.verify(signerA.current()).sub, 'a');
  const tokenB = new JwtSigner({
    source: { kind: 'key', key: b.key },
    subject: 'b',
    clock: () => now,
  }).current();
  served = [a.pub, b.pub];
  assert.match(
    refusal(() => verifier.verify(tokenB)),
    /unknown/,
  );
  await verifier.ready(); // waits for the refresh the unknown kid started
  assert.equal(fetches, 2);
  assert.equal(verifier.verify(tokenB).sub, 'b');
  // Unknown kids in a burst: one fetch per interval at most.
  const c = await es256('c');
  for (let i = 0; i < 20; i++) {
    const tokenC = new JwtSigner({
      source: { kind: 'key', key: c.key },
      subject: `c${i}`,
      clock: () => now,
    }).current();
    refusal(() => verifier.verify(tokenC));
  }
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(fetches, 2);
  now += 10_001;
  refusal(() =>
    verifier.verify(
      new JwtSigner({ source: { kind: 'key', key: c.key }, subject: 'late', clock: () => now }).current(),
    ),
  );
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(fetches, 3);
});

test('signing keys: EC P-384, RSA and Ed25519 from PEM; symmetric and public keys refused', async () => {
  for (const alg of ['ES384', 'RS256', 'EdDSA'] as const) {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const key: JwtPrivateKey = parsePrivateKey(await exportPKCS8(privateKey));
    assert.equal(key.alg, alg);
    const token = new JwtSigner({ source: { kind: 'key', key }, subject: 's', audience: ['slim'] }).current();
    const { payload } = await jwtVerify(token, publicKey, { audience: 'slim' });
    assert.equal(payload.sub, 's');
    assert.equal(new JwtVerifier({ keys: [publicOf(key)] }).verify(token).sub, 's');
  }
  assert.throws(
    () => parsePrivateKey(JSON.stringify({ kty: 'oct', k: 'AAAA' })),
    /no private part|symmetric/,
  );
  const k = await es256();
  assert.throws(() => parsePrivateKey(JSON.stringify(k.pub)), /no private part/);
  // A JWK with a kid signs with that kid.
  const withKid = parsePrivateKey(JSON.stringify({ ...k.jwk, kid: 'key-1' }));
  const token = new JwtSigner({ source: { kind: 'key', key: withKid }, subject: 's' }).current();
  assert.equal(decodeJwt(token).header.kid, 'key-1');
  await importJWK(k.pub, 'ES256'); // the JWKS entries we write are ones jose reads
});
