// What JWT identities cost against shared-secret tokens, same run (docs/security.md): the token
// put on each outgoing frame, minting one, verifying a token seen for the first time and one
// seen before (the verified-token cache), and a SLIMRPC unary call between two of our apps
// through our node (in-process links, MLS on) with each kind of identity. ES256 keys.
import { performance } from 'node:perf_hooks';
import { exportJWK, generateKeyPair } from 'jose';
import {
  JwtIdentity,
  JwtSigner,
  JwtVerifier,
  SharedSecretIdentity,
  mintToken,
  parsePrivateKey,
  publicOf,
  verifyToken,
} from '../src/slim/auth/index.js';
import type { IdentityProvider, IdentityVerifier, JwtPrivateKey } from '../src/slim/auth/index.js';
import type { Link } from '../src/slim/dataplane/link.js';
import { parseName } from '../src/slim/dataplane/name.js';
import { createMlsClient } from '../src/slim/mls/index.js';
import { SlimNode } from '../src/slim/node/index.js';
import { createChannel, createRpcServer } from '../src/slim/rpc/index.js';
import { createSlimApp } from '../src/slim/session/index.js';
import { testService } from '../test/support/rpc-contract.js';
import type { Bench, Measurement } from './harness.js';
import { summarize } from './harness.js';

const SECRET = 'a-very-long-shared-secret-0123456789abcdef';
const OPS = 2000;
const CALLS = 200;
const WARMUP = 20;

/** Microseconds per call of `fn` over `n` calls. */
function perOp(n: number, fn: (i: number) => void): number {
  for (let i = 0; i < Math.min(100, n); i++) fn(i);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return ((performance.now() - t0) * 1000) / n;
}

async function es256(): Promise<JwtPrivateKey> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return parsePrivateKey(JSON.stringify(await exportJWK(privateKey)));
}

type Identity = IdentityProvider & IdentityVerifier;

/** p50/p99 of unary calls between two apps whose identities `make` builds, through our node. */
async function unaryCalls(make: (name: string) => Identity): Promise<{ p50: number; p99: number }> {
  const node = await SlimNode.create();
  const app = (name: string, link: Link) => {
    const identity = make(name);
    return createSlimApp({
      name: parseName(name),
      link,
      identity,
      mls: () => createMlsClient({ identity, verifier: identity }),
    });
  };
  const srvApp = await app('org/bench/srv', node.connectInProcess());
  const cliApp = await app('org/bench/cli', node.connectInProcess());
  const server = createRpcServer(srvApp, { services: [testService()] });
  const channel = createChannel(cliApp, parseName('org/bench/srv'));
  try {
    const samples: number[] = [];
    const body = new TextEncoder().encode('x'.repeat(256));
    for (let i = 0; i < WARMUP + CALLS; i++) {
      const t0 = performance.now();
      await channel.unary('test.Contract', 'Echo', body);
      if (i >= WARMUP) samples.push(performance.now() - t0);
    }
    return summarize(samples);
  } finally {
    await channel.close();
    await server.close();
    await Promise.allSettled([srvApp.close(), cliApp.close()]);
    await node.close();
  }
}

export const benches: Bench[] = [
  {
    name: 'identity tokens: JWT vs shared secret',
    async run(): Promise<Measurement[]> {
      const key = await es256();
      const verifier = new JwtVerifier({ keys: [publicOf(key)] });
      const jwt = new JwtIdentity({
        source: { kind: 'key', key },
        subject: 'acme/bench',
        audience: ['slim'],
        verifier,
      });
      const shared = new SharedSecretIdentity({ baseName: 'acme/bench/a', secret: SECRET });
      const pub = shared.signingKey.publicKey;
      const now = Math.floor(Date.now() / 1000);

      const perFrameJwt = perOp(OPS * 10, () => jwt.token());
      const perFrameShared = perOp(OPS * 10, () => shared.token());
      let t = 0;
      const clock = () => (t += 10_000_000); // every call past the refresh point: a fresh mint
      const minting = new JwtSigner({
        source: { kind: 'key', key },
        subject: 's',
        clock,
        lifetimeSeconds: 60,
      });
      const mintJwt = perOp(OPS, () => minting.current());
      const mintShared = perOp(OPS, () => mintToken('acme/bench/a_ABCDEFGH', SECRET, pub, now));

      // First sight: every token new (what a reference peer's per-batch tokens cost us).
      const fresh = Array.from({ length: OPS + 100 }, (_, i) =>
        new JwtSigner({ source: { kind: 'key', key }, subject: `s${i}` }).current(),
      );
      const firstVerifier = new JwtVerifier({ keys: [publicOf(key)] });
      const firstJwt = perOp(OPS, (i) => firstVerifier.verify(fresh[i]!));
      const sharedTokens = Array.from({ length: OPS + 100 }, () => shared.token());
      const firstShared = perOp(OPS, (i) => verifyToken(sharedTokens[i]!, SECRET, now));
      // Seen before: our tokens repeat for their lifetime.
      const token = jwt.token();
      const hitJwt = perOp(OPS * 10, () => verifier.verify(token));
      const oneShared = shared.token();
      const repeatShared = perOp(OPS * 10, () => verifyToken(oneShared, SECRET, now));

      const trusted = await Promise.all(['srv', 'cli'].map(() => es256()));
      const jwtIdentity = (name: string) =>
        new JwtIdentity({
          source: { kind: 'key', key: trusted[name.endsWith('srv') ? 0 : 1]! },
          subject: name,
          audience: ['slim'],
          verifier: new JwtVerifier({ keys: trusted.map(publicOf), audience: 'slim' }),
        });
      const sharedIdentity = (name: string) => new SharedSecretIdentity({ baseName: name, secret: SECRET });
      // Alternated, the first round discarded: the machine is shared and the first run warms up.
      await unaryCalls(sharedIdentity);
      await unaryCalls(jwtIdentity);
      const rpcShared = await unaryCalls(sharedIdentity);
      const rpcJwt = await unaryCalls(jwtIdentity);
      const peerLabel = 'shared secret';
      const m = (name: string, unit: string, ours: number, peer: number, notes?: string): Measurement => ({
        name,
        unit,
        ours,
        peer,
        peerLabel,
        better: 'lower',
        ...(notes ? { notes } : {}),
      });
      return [
        m(
          'token on an outgoing frame',
          'µs/op',
          perFrameJwt,
          perFrameShared,
          'JWT: the cached token; secret: an HMAC per frame',
        ),
        m('mint a token (ES256 vs HMAC)', 'µs/op', mintJwt, mintShared, 'JWT: once per 4/5 lifetime'),
        m('verify a token seen for the first time', 'µs/op', firstJwt, firstShared, 'JWT: one ECDSA check'),
        m('verify a token seen before', 'µs/op', hitJwt, repeatShared, 'JWT: verified-token cache hit'),
        m('SLIMRPC unary 256 B, our node, MLS', 'ms p50', rpcJwt.p50, rpcShared.p50),
        m('SLIMRPC unary 256 B, our node, MLS', 'ms p99', rpcJwt.p99, rpcShared.p99),
      ];
    },
  },
];
