// SLIM shared-secret identity tokens, as the reference makes and checks them
// (spec/slim-dataplane.md §6, spec/slim-session-mls.md §1.3):
//   token = "<token_id>:<unix_seconds>:<nonce>:<claims>:<mac>"
//   nonce  = base64url(12 random bytes), claims = base64url(JSON {"pubkey": base64(sig public key)})
//   mac    = base64url(HMAC-SHA256(utf8(secret), everything before the last ':'))
// A token is valid from 3600 s before now up to 5 s after now. Pure functions: clock and nonce
// are inputs.
import { createHmac, createSecretKey, randomBytes, randomFillSync, timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { GatewayError } from '../../util/errors.js';

export const TOKEN_VALIDITY_SECONDS = 3600;
export const TOKEN_FUTURE_SKEW_SECONDS = 5;
/** The reference refuses shorter secrets. */
export const MIN_SECRET_LENGTH = 32;

export interface TokenClaims {
  /** Shared secret: the token id (`org/ns/app_XXXXXXXX`). JWT: the `sub` claim. */
  readonly sub: string;
  /**
   * Who the verified peer is, for allow lists: the JWT subject (`sub`); with a shared secret, the
   * name the peer claims (its token id without the `_XXXXXXXX` instance suffix), which any holder
   * of the secret can claim.
   */
  readonly identity: string;
  /** Issued-at, unix seconds. */
  readonly iat: number;
  readonly exp: number;
  /** Standard base64 of the signature public key, when the claims carry one. */
  readonly pubkey: string | undefined;
  /** JWT only: the issuer and audiences the token carried (checked against the trust settings). */
  readonly iss?: string;
  readonly aud?: readonly string[];
}

/** The name a shared-secret token id claims: `org/ns/app_XXXXXXXX` without the instance suffix. */
export function claimedName(tokenId: string): string {
  const m = /^(.*)_[A-Za-z0-9]{8}$/.exec(tokenId);
  return m ? m[1]! : tokenId;
}

export function checkSecret(secret: string): void {
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_LENGTH) {
    throw new GatewayError('CONFIG', `the shared secret must be at least ${MIN_SECRET_LENGTH} bytes long`);
  }
}

export function mintToken(
  tokenId: string,
  secret: string,
  publicKey: Uint8Array | undefined,
  nowSeconds: number,
  nonce: Uint8Array = randomBytes(12),
): string {
  return new TokenMinter(tokenId, secret, publicKey).mint(nowSeconds, nonce);
}

const NONCE_BYTES = 12;
const NONCES_PER_FILL = 128;

/**
 * Mints the tokens of one identity (one per outgoing frame): the claims and the HMAC key are
 * prepared once, and nonces come from a random buffer refilled every 128 tokens (one random
 * call per frame was a measurable share of sending one).
 */
export class TokenMinter {
  private readonly prefix: string;
  private readonly claims: string;
  private readonly key: KeyObject;
  private readonly nonces = Buffer.allocUnsafe(NONCE_BYTES * NONCES_PER_FILL);
  private nextNonce = NONCES_PER_FILL;

  constructor(tokenId: string, secret: string, publicKey: Uint8Array | undefined) {
    this.prefix = `${tokenId}:`;
    this.claims = publicKey
      ? Buffer.from(JSON.stringify({ pubkey: Buffer.from(publicKey).toString('base64') })).toString(
          'base64url',
        )
      : '';
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  mint(nowSeconds: number, nonce?: Uint8Array): string {
    let n: string;
    if (nonce) n = Buffer.from(nonce).toString('base64url');
    else {
      if (this.nextNonce === NONCES_PER_FILL) {
        randomFillSync(this.nonces);
        this.nextNonce = 0;
      }
      const at = this.nextNonce++ * NONCE_BYTES;
      n = this.nonces.toString('base64url', at, at + NONCE_BYTES);
    }
    const body = `${this.prefix}${Math.floor(nowSeconds)}:${n}:${this.claims}`;
    const mac = createHmac('sha256', this.key).update(body).digest().toString('base64url');
    return `${body}:${mac}`;
  }
}

/** Verifies the MAC and the time window; throws AUTH with the reason. */
export function verifyToken(token: string, secret: string, nowSeconds: number): TokenClaims {
  const last = token.lastIndexOf(':');
  if (last < 0) throw new GatewayError('AUTH', 'malformed identity token');
  const body = token.slice(0, last);
  const parts = body.split(':');
  if (parts.length !== 4) throw new GatewayError('AUTH', 'malformed identity token');
  const [sub, tsText, , claimsText] = parts as [string, string, string, string];
  const iat = Number(tsText);
  if (!Number.isSafeInteger(iat)) throw new GatewayError('AUTH', 'malformed identity token timestamp');
  const expected = createHmac('sha256', secret).update(body).digest();
  const got = Buffer.from(token.slice(last + 1), 'base64url');
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
    throw new GatewayError('AUTH', 'identity token signature mismatch (wrong shared secret?)');
  }
  if (iat > nowSeconds + TOKEN_FUTURE_SKEW_SECONDS)
    throw new GatewayError('AUTH', 'identity token issued in the future');
  if (iat < nowSeconds - TOKEN_VALIDITY_SECONDS) throw new GatewayError('AUTH', 'identity token expired');
  let pubkey: string | undefined;
  if (claimsText) {
    try {
      const claims = JSON.parse(Buffer.from(claimsText, 'base64url').toString('utf8')) as {
        pubkey?: unknown;
      };
      if (typeof claims.pubkey === 'string') pubkey = claims.pubkey;
    } catch (err) {
      throw new GatewayError('AUTH', 'identity token claims are not JSON', { cause: err });
    }
  }
  return { sub, identity: claimedName(sub), iat, exp: iat + TOKEN_VALIDITY_SECONDS, pubkey };
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 8 random alphanumerics: what tells apart two instances of one name. */
export function instanceSuffix(): string {
  const bytes = randomBytes(8);
  let suffix = '';
  for (const b of bytes) suffix += ALPHANUMERIC[b % ALPHANUMERIC.length];
  return suffix;
}

/** `org/ns/app_` followed by 8 random alphanumerics, as the reference names each app instance. */
export function newTokenId(baseName: string): string {
  if (/[:\s]/.test(baseName)) throw new GatewayError('CONFIG', 'a SLIM name may not contain ":" or spaces');
  return `${baseName}_${instanceSuffix()}`;
}
