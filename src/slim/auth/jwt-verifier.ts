// JWT identity verification (docs/security.md, "Identities on the wire"): whose tokens we accept
// (public keys from files and/or a JWKS URL), the issuer and audience we require, and the time
// window with a small clock skew.
//
// Synchronous by design: the session layer accepts or refuses a control frame where it reads it,
// and ts-mls validates credentials through a callback, so `verify` cannot wait for a network
// fetch. What makes that work:
// - a verified-token cache keyed by the token string (bounded; an entry is only as good as its
//   token's `exp`, re-checked on every hit): a peer repeats its token on every frame until it
//   re-mints it, so one signature check serves a whole token lifetime;
// - a bounded negative cache (keyed by the token's hash, so a stranger's long tokens cost 32 bytes
//   each), so a peer repeating a refused token costs no further signature checks (forgotten when
//   the trusted keys change);
// - keys imported once (node:crypto KeyObjects), key files re-read when they change (checked at
//   most every `fileCheckIntervalMs`), the JWKS URL fetched at start (`ready()`), cached, and
//   fetched again in the background when a token names an unknown `kid` — at most once per
//   `jwksRefreshMinIntervalMs`. The frame that revealed the unknown kid is refused; the peer's
//   retransmission (discovery and session requests are retried) finds the new key.
import { createHash } from 'node:crypto';
import { statSync, readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { GatewayError, describeError } from '../../util/errors.js';
import type { Clock, IdentityVerifier } from './identity.js';
import { decodeJwt, jwtSignatureValid } from './jwt.js';
import type { DecodedJwt } from './jwt.js';
import { parsePublicKeys } from './jwt-keys.js';
import type { JwtPublicKey } from './jwt-keys.js';
import type { TokenClaims } from './token.js';

export const JWT_CLOCK_SKEW_SECONDS = 60; // the reference's leeway (jsonwebtoken's default)
export const JWT_VERIFIED_CACHE_SIZE = 4096;
export const JWT_REFUSED_CACHE_SIZE = 1024;
export const JWKS_REFRESH_MIN_INTERVAL_MS = 30_000;
export const JWKS_TTL_MS = 3_600_000;
export const JWKS_FETCH_TIMEOUT_MS = 5_000;
export const JWKS_MAX_BYTES = 1024 * 1024;
export const KEY_FILE_CHECK_INTERVAL_MS = 5_000;

export interface JwtVerifierOptions {
  /** PEM public keys, JWK or JWKS files (absolute paths), re-read when they change. */
  readonly keyFiles?: readonly string[];
  /** Keys given in memory (tests; a gateway that trusts its own key). */
  readonly keys?: readonly JwtPublicKey[];
  readonly jwksUrl?: string;
  /** Accepted `iss` values; none: any issuer. */
  readonly issuers?: readonly string[];
  /** Required member of `aud`; none: any audience. */
  readonly audience?: string;
  readonly clock?: Clock;
  readonly skewSeconds?: number;
  readonly cacheSize?: number;
  readonly jwksRefreshMinIntervalMs?: number;
  readonly jwksTtlMs?: number;
  readonly fileCheckIntervalMs?: number;
  readonly fetch?: typeof fetch;
  readonly logger?: Logger;
}

interface Verified {
  readonly claims: TokenClaims;
  readonly nbf: number | undefined;
}

interface FileKeys {
  readonly path: string;
  stamp: string;
  keys: JwtPublicKey[];
}

/** Reads one trusted-key file; throws CONFIG naming the file and what is wrong. */
export function readTrustedKeyFile(path: string): JwtPublicKey[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new GatewayError('CONFIG', `cannot read ${path}: ${describeError(err)}`, { cause: err });
  }
  return parsePublicKeys(text, path);
}

function fileStamp(path: string): string {
  try {
    const st = statSync(path);
    return `${st.mtimeMs}:${st.size}`;
  } catch {
    return 'missing';
  }
}

export class JwtVerifier implements IdentityVerifier {
  private readonly clock: Clock;
  private readonly skew: number;
  private readonly cacheSize: number;
  private readonly verified = new Map<string, Verified>();
  private readonly refused = new Map<string, { generation: number; error: GatewayError }>();
  private readonly files: FileKeys[];
  private readonly fixed: readonly JwtPublicKey[];
  private jwks: JwtPublicKey[] = [];
  private jwksFetchedAt = -Infinity;
  private jwksAttemptAt = -Infinity;
  private jwksInflight: Promise<void> | undefined;
  private lastFileCheck: number;
  /** Bumped whenever the trusted keys change, so refusals made with old keys are forgotten. */
  private generation = 0;
  private all: JwtPublicKey[] = [];
  private byKid = new Map<string, JwtPublicKey[]>();

  constructor(private readonly options: JwtVerifierOptions) {
    this.clock = options.clock ?? Date.now;
    this.skew = options.skewSeconds ?? JWT_CLOCK_SKEW_SECONDS;
    this.cacheSize = options.cacheSize ?? JWT_VERIFIED_CACHE_SIZE;
    this.fixed = options.keys ?? [];
    this.files = (options.keyFiles ?? []).map((path) => ({
      path,
      stamp: fileStamp(path),
      keys: readTrustedKeyFile(path),
    }));
    this.lastFileCheck = this.clock();
    if (this.files.length === 0 && this.fixed.length === 0 && !options.jwksUrl)
      throw new GatewayError('CONFIG', 'no trusted keys: give key files or a JWKS URL');
    this.index();
  }

  /** Fetches the JWKS URL once (if any); resolves either way (a failure is logged, files still work). */
  ready(): Promise<void> {
    if (!this.options.jwksUrl) return Promise.resolve();
    return this.refreshJwks('start', true);
  }

  /** Counters (tests, benchmarks): signature checks made, and checks answered from the caches. */
  readonly stats = { signatureChecks: 0, cacheHits: 0, refusedHits: 0 };

  /** Verified tokens held. */
  get cachedTokens(): number {
    return this.verified.size;
  }

  verify(token: string, atSeconds?: number): TokenClaims {
    const now = atSeconds ?? Math.floor(this.clock() / 1000);
    let v = this.verified.get(token);
    if (v) this.stats.cacheHits++;
    else {
      this.maybeReloadFiles();
      const refusedKey = createHash('sha256').update(token).digest('base64');
      const no = this.refused.get(refusedKey);
      if (no && no.generation === this.generation) {
        this.stats.refusedHits++;
        throw no.error;
      }
      try {
        v = this.check(token);
      } catch (err) {
        const error = err instanceof GatewayError ? err : new GatewayError('AUTH', 'identity token rejected');
        this.refused.set(refusedKey, { generation: this.generation, error });
        if (this.refused.size > JWT_REFUSED_CACHE_SIZE)
          this.refused.delete(this.refused.keys().next().value!);
        throw error;
      }
      this.remember(token, v, now);
    }
    const { claims } = v;
    if (now > claims.exp + this.skew) throw new GatewayError('AUTH', 'identity token expired');
    if (v.nbf !== undefined && now + this.skew < v.nbf)
      throw new GatewayError('AUTH', 'identity token not valid yet (nbf in the future)');
    return claims;
  }

  private remember(token: string, v: Verified, now: number): void {
    this.verified.set(token, v);
    // Bounded: expired entries at the front go first, then the oldest.
    for (const [t, e] of this.verified) {
      if (this.verified.size <= this.cacheSize && e.claims.exp + this.skew >= now) break;
      this.verified.delete(t);
    }
  }

  /** Signature and claims (not time): what a token proves, whatever the instant. */
  private check(token: string): Verified {
    const jwt = decodeJwt(token);
    this.checkSignature(jwt);
    const p = jwt.payload;
    const sub = p['sub'];
    if (typeof sub !== 'string' || sub === '')
      throw new GatewayError('AUTH', 'identity token has no subject (sub)');
    const exp = p['exp'];
    if (typeof exp !== 'number' || !Number.isFinite(exp))
      throw new GatewayError('AUTH', 'identity token has no expiry (exp)');
    const iss = typeof p['iss'] === 'string' ? p['iss'] : undefined;
    const issuers = this.options.issuers ?? [];
    if (issuers.length > 0 && (iss === undefined || !issuers.includes(iss)))
      throw new GatewayError(
        'AUTH',
        `identity token issuer ${iss === undefined ? '(none)' : JSON.stringify(iss)} is not trusted`,
      );
    const audRaw = p['aud'];
    const aud =
      typeof audRaw === 'string'
        ? [audRaw]
        : Array.isArray(audRaw)
          ? audRaw.filter((a) => typeof a === 'string')
          : undefined;
    const want = this.options.audience;
    if (want !== undefined && !(aud ?? []).includes(want))
      throw new GatewayError('AUTH', `identity token is not for audience ${JSON.stringify(want)}`);
    const nbf = typeof p['nbf'] === 'number' ? p['nbf'] : undefined;
    const iat = typeof p['iat'] === 'number' ? p['iat'] : (nbf ?? exp);
    // The reference also accepts the key under `custom_claims` (crates/auth/src/identity_claims.rs).
    const custom = p['custom_claims'];
    const pubkey =
      typeof p['pubkey'] === 'string'
        ? p['pubkey']
        : typeof custom === 'object' &&
            custom !== null &&
            typeof (custom as { pubkey?: unknown }).pubkey === 'string'
          ? (custom as { pubkey: string }).pubkey
          : undefined;
    return {
      claims: {
        sub,
        identity: sub,
        iat,
        exp,
        pubkey,
        ...(iss !== undefined ? { iss } : {}),
        ...(aud ? { aud } : {}),
      },
      nbf,
    };
  }

  private checkSignature(jwt: DecodedJwt): void {
    this.stats.signatureChecks++;
    const { kid, alg } = jwt.header;
    const named = kid !== undefined ? this.byKid.get(kid) : undefined;
    if (named) {
      for (const key of named) if (jwtSignatureValid(jwt, key)) return;
    }
    if (kid !== undefined && !named) this.unknownKid();
    // The reference's fallback (crates/auth/src/resolver.rs): every key of the token's algorithm.
    for (const key of this.all) {
      if (named?.includes(key)) continue;
      if (key.alg !== alg && !(key.alg.startsWith('RS') && (alg.startsWith('RS') || alg.startsWith('PS'))))
        continue;
      if (jwtSignatureValid(jwt, key)) return;
    }
    throw new GatewayError(
      'AUTH',
      kid !== undefined && !named
        ? `identity token signed with an untrusted key (kid ${JSON.stringify(kid)} unknown)`
        : 'identity token signed with an untrusted key',
    );
  }

  private unknownKid(): void {
    if (this.options.jwksUrl) void this.refreshJwks('unknown kid', false);
    // A key file may have gained the key: check now rather than at the next interval.
    this.lastFileCheck = -Infinity;
  }

  private maybeReloadFiles(): void {
    const now = this.clock();
    const interval = this.options.fileCheckIntervalMs ?? KEY_FILE_CHECK_INTERVAL_MS;
    if (this.options.jwksUrl && now - this.jwksFetchedAt > (this.options.jwksTtlMs ?? JWKS_TTL_MS))
      void this.refreshJwks('ttl', false);
    if (this.files.length === 0 || now - this.lastFileCheck < interval) return;
    this.lastFileCheck = now;
    let changed = false;
    for (const f of this.files) {
      const stamp = fileStamp(f.path);
      if (stamp === f.stamp) continue;
      f.stamp = stamp;
      try {
        f.keys = readTrustedKeyFile(f.path);
        changed = true;
        this.options.logger?.info({ file: f.path, keys: f.keys.length }, 'trusted key file re-read');
      } catch (err) {
        // Keep the keys we had: a half-written file must not lock every peer out.
        this.options.logger?.warn(
          { file: f.path, err: describeError(err) },
          'trusted key file unreadable; keeping the previous keys',
        );
      }
    }
    if (changed) this.index();
  }

  private refreshJwks(reason: string, force: boolean): Promise<void> {
    const url = this.options.jwksUrl!;
    if (this.jwksInflight) return this.jwksInflight;
    const now = this.clock();
    const min = this.options.jwksRefreshMinIntervalMs ?? JWKS_REFRESH_MIN_INTERVAL_MS;
    if (!force && now - this.jwksAttemptAt < min) return Promise.resolve();
    this.jwksAttemptAt = now;
    const doFetch = this.options.fetch ?? fetch;
    this.jwksInflight = (async () => {
      try {
        const res = await doFetch(url, {
          signal: AbortSignal.timeout(JWKS_FETCH_TIMEOUT_MS),
          redirect: 'error',
        });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const len = Number(res.headers.get('content-length') ?? '0');
        if (len > JWKS_MAX_BYTES) throw new Error(`JWKS larger than ${JWKS_MAX_BYTES} bytes`);
        const text = await res.text();
        if (text.length > JWKS_MAX_BYTES) throw new Error(`JWKS larger than ${JWKS_MAX_BYTES} bytes`);
        this.jwks = parsePublicKeys(text, url);
        this.jwksFetchedAt = this.clock();
        this.index();
        this.options.logger?.info({ url, keys: this.jwks.length, reason }, 'JWKS fetched');
      } catch (err) {
        this.options.logger?.warn(
          { url, reason, err: describeError(err) },
          'JWKS fetch failed; keeping the keys we had',
        );
      } finally {
        this.jwksInflight = undefined;
      }
    })();
    return this.jwksInflight;
  }

  private index(): void {
    this.all = [...this.fixed, ...this.files.flatMap((f) => f.keys), ...this.jwks];
    this.byKid = new Map();
    for (const k of this.all) {
      if (k.kid === undefined) continue;
      const list = this.byKid.get(k.kid) ?? [];
      list.push(k);
      this.byKid.set(k.kid, list);
    }
    this.generation++;
  }
}
