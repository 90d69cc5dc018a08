// JWT identities for interop tests: ES256 keys written as PEM files plus one JWKS file of every
// public key (kid = the subject, alg ES256, as the reference's JWKS lookup needs), reference apps
// created with `IdentityProviderConfig.Jwt` / `IdentityVerifierConfig.Jwt` over those files, and
// our apps with JwtIdentity over the same files.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import type { Logger } from 'pino';
import { JwtIdentity, JwtVerifier, LoggedVerifier } from '../../src/slim/auth/index.js';
import type { Clock, IdentityVerifier } from '../../src/slim/auth/index.js';
import type { Link } from '../../src/slim/dataplane/link.js';
import { parseName } from '../../src/slim/dataplane/name.js';
import { createMlsClient } from '../../src/slim/mls/index.js';
import { createSlimApp } from '../../src/slim/session/index.js';
import type { SlimApp } from '../../src/slim/session/index.js';
import { ReferencePeer } from './reference.js';
import type { NodeFixture } from './reference-sessions.js';

export const JWT_ISSUER = 'https://id.acme.example';
export const JWT_AUDIENCE = 'slim';

export interface JwtParty {
  readonly subject: string;
  readonly keyFile: string;
}

export interface JwtWorld {
  readonly dir: string;
  /** Every party's public key, kid = subject. */
  readonly jwksFile: string;
  readonly parties: Map<string, JwtParty>;
  /** A key pair nobody trusts (its public key is not in the JWKS), for refusal tests. */
  readonly untrusted: JwtParty;
  close(): void;
}

async function keyPair(dir: string, subject: string): Promise<{ party: JwtParty; jwk: object }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const keyFile = join(dir, `${subject.replaceAll('/', '_')}.pem`);
  writeFileSync(keyFile, await exportPKCS8(privateKey));
  return {
    party: { subject, keyFile },
    jwk: { ...(await exportJWK(publicKey)), alg: 'ES256', kid: subject, use: 'sig' },
  };
}

/** Keys for `subjects` (trusted) and one untrusted party, in a temp folder. */
export async function jwtWorld(subjects: string[]): Promise<JwtWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'slim-jwt-'));
  const parties = new Map<string, JwtParty>();
  const jwks: object[] = [];
  for (const s of subjects) {
    const { party, jwk } = await keyPair(dir, s);
    parties.set(s, party);
    jwks.push(jwk);
  }
  const untrusted = (await keyPair(dir, 'acme/untrusted')).party;
  const jwksFile = join(dir, 'peers.jwks.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: jwks }));
  return { dir, jwksFile, parties, untrusted, close: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RefJwtArgs {
  keyFile: string;
  jwksFile: string;
  subject: string;
  issuer: string;
  audience: string[];
  trustIssuer: string;
  trustAudience: string[];
  durationMs: number;
}

export function refJwtArgs(world: JwtWorld, party: JwtParty, over: Partial<RefJwtArgs> = {}): RefJwtArgs {
  return {
    keyFile: party.keyFile,
    jwksFile: world.jwksFile,
    subject: party.subject,
    issuer: JWT_ISSUER,
    audience: [JWT_AUDIENCE],
    trustIssuer: JWT_ISSUER,
    trustAudience: [JWT_AUDIENCE],
    durationMs: 3600_000,
    ...over,
  };
}

/**
 * Reference-peer JS creating app `me`: with `args.jwt` (RefJwtArgs) a JWT identity (ES256 PEM key
 * signing, the JWKS file verifying, issuer and audience checked), else the shared secret.
 */
export const REF_CREATE_APP = `(args.jwt
  ? svc.createApp(me,
      new s.IdentityProviderConfig.Jwt({ config: s.ClientJwtAuth.create({
        key: new s.JwtKeyType.Encoding({ key: s.JwtKeyConfig.create({ algorithm: s.JwtAlgorithm.Es256,
          format: s.JwtKeyFormat.Pem, key: new s.JwtKeyData.File({ path: args.jwt.keyFile }) }) }),
        audience: args.jwt.audience, issuer: args.jwt.issuer, subject: args.jwt.subject,
        duration: args.jwt.durationMs }) }),
      new s.IdentityVerifierConfig.Jwt({ config: s.JwtAuth.create({
        key: new s.JwtKeyType.Decoding({ key: s.JwtKeyConfig.create({ algorithm: s.JwtAlgorithm.Es256,
          format: s.JwtKeyFormat.Jwks, key: new s.JwtKeyData.File({ path: args.jwt.jwksFile }) }) }),
        audience: args.jwt.trustAudience, issuer: args.jwt.trustIssuer, duration: 3600000 }) }))
  : svc.createAppWithSecret(me, args.secret))`;

/** Our app `name` with a JWT identity for `party`, trusting the world's JWKS file. */
export async function ourJwtApp(
  name: string,
  link: Link,
  world: JwtWorld,
  party: JwtParty,
  options: {
    lifetimeSeconds?: number;
    audience?: string[];
    issuer?: string;
    clock?: Clock;
    /** The verifier's clock (default: the real one), e.g. ahead to see peers' tokens as expired. */
    verifierClock?: Clock;
    logger?: Logger;
    /** Replaces the tokens we send (malformed-token tests). */
    token?: () => string;
    /** The verifier's clock skew (default 60 s, the reference's leeway). */
    skewSeconds?: number;
    /** Issuers the verifier trusts (default: JWT_ISSUER). */
    trustIssuers?: string[];
  } = {},
): Promise<SlimApp & { identity: JwtIdentity; verifier: JwtVerifier }> {
  const verifier = new JwtVerifier({
    keyFiles: [world.jwksFile],
    issuers: options.trustIssuers ?? [JWT_ISSUER],
    audience: JWT_AUDIENCE,
    ...(options.verifierClock ? { clock: options.verifierClock } : {}),
    ...(options.skewSeconds !== undefined ? { skewSeconds: options.skewSeconds } : {}),
  });
  const checks: IdentityVerifier = options.logger ? new LoggedVerifier(verifier, options.logger) : verifier;
  const jwt = new JwtIdentity({
    source: { kind: 'keyFile', path: party.keyFile },
    subject: party.subject,
    issuer: options.issuer ?? JWT_ISSUER,
    audience: options.audience ?? [JWT_AUDIENCE],
    lifetimeSeconds: options.lifetimeSeconds ?? 3600,
    ...(options.clock ? { clock: options.clock } : {}),
    verifier: checks,
  });
  const forged = options.token;
  const identity = forged ? Object.assign(Object.create(jwt) as JwtIdentity, { token: forged }) : jwt;
  const app = await createSlimApp({
    name: parseName(name),
    link,
    identity,
    mls: () => createMlsClient({ identity, verifier: identity }),
  });
  return Object.assign(app, { identity, verifier });
}

/** A reference app `org/ns/<name>` with a JWT identity, in its own process, subscribed on the node. */
export async function referenceJwtApp(
  node: NodeFixture,
  name: string,
  jwt: RefJwtArgs,
): Promise<ReferencePeer> {
  const peer = await ReferencePeer.start({ label: name });
  await peer.run(
    `const me = new s.Name('org', 'ns', args.name);
     const app = ${REF_CREATE_APP};
     const conn = await svc.connectAsync(s.newInsecureClientConfig(args.endpoint));
     await app.subscribeAsync(me, conn);
     objects.set('app', app); objects.set('conn', conn);
     return String(app.id());`,
    { name, endpoint: node.endpoint, jwt },
  );
  return peer;
}
