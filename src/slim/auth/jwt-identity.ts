// JWT identities (docs/security.md, "Identities on the wire"): the tokens this app puts in every
// SLIM header and MLS credential, signed with our own key (the reference's `Jwt` provider) or
// read from a file an IdP keeps fresh (its `StaticJwt`), plus the verifier for peers' tokens.
//
// As the reference: claims {iss, sub, aud: [..], exp, iat, nbf, pubkey}, header kid = sub (or the
// signing JWK's own kid), pubkey = standard base64 of the app's P-256 signature key, and the
// app's instance id is the hash of `sub` (see tokenId). Where the reference signs a new token for every outgoing batch, a token here is minted once and reused
// until 4/5 of its lifetime has passed: one signature per lifetime and, thanks to the verifiers'
// caches (ours and the reference's, both keyed by the token string), one check per lifetime at
// each peer.
//
// A token from a file carries no `pubkey` claim for our signature key, so peers refuse its signed
// control messages and MLS credentials (the reference's StaticJwt cannot do MLS either:
// set_signature_keys answers MlsNotSupported). The class serves such tokens for uses that need no
// key binding (a node link's bearer token); the configuration refuses it as a session identity.
import { readFileSync, statSync } from 'node:fs';
import { GatewayError, describeError } from '../../util/errors.js';
import type { Clock, IdentityProvider, IdentityVerifier } from './identity.js';
import { decodeJwt, signJwt } from './jwt.js';
import { parsePrivateKey } from './jwt-keys.js';
import type { JwtPrivateKey } from './jwt-keys.js';
import { generateSigningKey } from './keys.js';
import type { SigningKey } from './keys.js';
import type { TokenClaims } from './token.js';

export const DEFAULT_JWT_LIFETIME_SECONDS = 3600;
/** A token is re-minted (or a token file re-read) once this share of its lifetime has passed. */
export const JWT_REFRESH_FRACTION = 0.8;
const TOKEN_FILE_CHECK_INTERVAL_MS = 5_000;

export type JwtSource =
  | { readonly kind: 'key'; readonly key: JwtPrivateKey }
  | { readonly kind: 'keyFile'; readonly path: string }
  | { readonly kind: 'tokenFile'; readonly path: string };

export interface JwtSignerOptions {
  readonly source: JwtSource;
  /** `sub`; required when signing (a token file's own `sub` is used otherwise). */
  readonly subject?: string;
  readonly issuer?: string;
  readonly audience?: readonly string[];
  readonly lifetimeSeconds?: number;
  readonly clock?: Clock;
  /** Extra claims (the MLS identity adds `pubkey`). */
  readonly claims?: Readonly<Record<string, unknown>>;
}

function stampOf(path: string): string {
  try {
    const st = statSync(path);
    return `${st.mtimeMs}:${st.size}`;
  } catch {
    return 'missing';
  }
}

/** Reads a signing key file; throws CONFIG naming it. */
export function readSigningKeyFile(path: string): JwtPrivateKey {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new GatewayError('CONFIG', `cannot read ${path}: ${describeError(err)}`, { cause: err });
  }
  return parsePrivateKey(text, path);
}

/** Reads a token file; throws CONFIG if it is unreadable or not a JWT. */
export function readTokenFile(path: string): string {
  let token: string;
  try {
    token = readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new GatewayError('CONFIG', `cannot read ${path}: ${describeError(err)}`, { cause: err });
  }
  try {
    decodeJwt(token);
  } catch (err) {
    throw new GatewayError('CONFIG', `${path} does not hold a JWT: ${describeError(err)}`, { cause: err });
  }
  return token;
}

/**
 * The current JWT of one identity: minted with our key and re-minted before it expires, or read
 * from a token file and re-read when the file changes. Synchronous; the small reusable piece
 * (node link authentication can present `current()` as a bearer token).
 */
export class JwtSigner {
  private readonly clock: Clock;
  private readonly lifetime: number;
  private key: JwtPrivateKey | undefined;
  private keyStamp = '';
  private token = '';
  private refreshAt = -Infinity;
  private lastFileCheck = -Infinity;
  readonly subject: string;

  constructor(private readonly options: JwtSignerOptions) {
    this.clock = options.clock ?? Date.now;
    this.lifetime = options.lifetimeSeconds ?? DEFAULT_JWT_LIFETIME_SECONDS;
    if (!(this.lifetime >= 10))
      throw new GatewayError('CONFIG', 'a JWT lifetime must be at least 10 seconds');
    const src = options.source;
    if (src.kind === 'tokenFile') {
      this.token = readTokenFile(src.path);
      this.keyStamp = stampOf(src.path);
      const sub = decodeJwt(this.token).payload['sub'];
      if (typeof sub !== 'string' || sub === '')
        throw new GatewayError('CONFIG', `the token in ${src.path} has no subject (sub)`);
      this.subject = sub;
      this.lastFileCheck = this.clock();
      return;
    }
    if (!options.subject) throw new GatewayError('CONFIG', 'a JWT subject is required to sign tokens');
    this.subject = options.subject;
    if (src.kind === 'key') this.key = src.key;
    else {
      this.key = readSigningKeyFile(src.path);
      this.keyStamp = stampOf(src.path);
    }
  }

  /** The token to present now (fresh enough: re-minted past 4/5 of its lifetime). */
  current(): string {
    const nowMs = this.clock();
    if (this.options.source.kind === 'tokenFile') return this.fromFile(this.options.source.path, nowMs);
    const now = Math.floor(nowMs / 1000);
    if (now >= this.refreshAt) this.mint(now);
    return this.token;
  }

  private mint(now: number): void {
    const src = this.options.source;
    if (src.kind === 'keyFile') {
      // A rotated key file is picked up at the next mint; an unreadable one keeps the old key.
      const stamp = stampOf(src.path);
      if (stamp !== this.keyStamp) {
        try {
          this.key = readSigningKeyFile(src.path);
          this.keyStamp = stamp;
        } catch {
          /* keep signing with the key we have */
        }
      }
    }
    const o = this.options;
    const payload: Record<string, unknown> = {
      ...(o.issuer !== undefined ? { iss: o.issuer } : {}),
      sub: this.subject,
      ...(o.audience && o.audience.length > 0 ? { aud: [...o.audience] } : {}),
      exp: now + this.lifetime,
      iat: now,
      nbf: now,
      ...o.claims,
    };
    this.token = signJwt(payload, this.key!, this.key!.kid ?? this.subject);
    this.refreshAt = now + Math.max(1, Math.floor(this.lifetime * JWT_REFRESH_FRACTION));
  }

  private fromFile(path: string, nowMs: number): string {
    if (nowMs - this.lastFileCheck < TOKEN_FILE_CHECK_INTERVAL_MS) return this.token;
    this.lastFileCheck = nowMs;
    const stamp = stampOf(path);
    if (stamp !== this.keyStamp) {
      try {
        this.token = readTokenFile(path);
        this.keyStamp = stamp;
      } catch {
        /* a half-written file: keep the token we have until the next check */
      }
    }
    return this.token;
  }
}

export interface JwtIdentityOptions extends Omit<JwtSignerOptions, 'claims'> {
  readonly verifier: IdentityVerifier;
  readonly signingKey?: SigningKey;
}

/** A SLIM identity backed by JWTs: our tokens (with the `pubkey` binding) and peers' checks. */
export class JwtIdentity implements IdentityProvider, IdentityVerifier {
  readonly tokenId: string;
  readonly signingKey: SigningKey;
  private readonly signer: JwtSigner;
  private readonly verifier: IdentityVerifier;

  constructor(options: JwtIdentityOptions) {
    this.signingKey = options.signingKey ?? generateSigningKey();
    this.verifier = options.verifier;
    this.signer = new JwtSigner({
      ...options,
      claims: { pubkey: Buffer.from(this.signingKey.publicKey).toString('base64') },
    });
    // As the reference: the app's instance id is the hash of `sub` (get_id() of a JWT), which is
    // what binds a frame's source to the token that signed it (docs/security.md, "Identity of a
    // peer"). Two processes with one subject and one name therefore share a name on SLIM: give
    // replicas their own subjects (or names).
    this.tokenId = this.signer.subject;
  }

  token(): string {
    return this.signer.current();
  }

  verify(token: string, atSeconds?: number): TokenClaims {
    return this.verifier.verify(token, atSeconds);
  }
}
