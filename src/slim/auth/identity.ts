// Identity providers: who this app is on SLIM (its token id, hence its instance id), the tokens it
// puts on every frame, and how it checks the tokens of others. Shared-secret identities are what
// the reference's `createAppWithSecret` uses; the interface leaves room for JWT or SPIFFE later.
import { GatewayError } from '../../util/errors.js';
import { generateSigningKey } from './keys.js';
import type { SigningKey } from './keys.js';
import { TokenMinter, checkSecret, claimedName, newTokenId, verifyToken } from './token.js';
import type { TokenClaims } from './token.js';

export interface IdentityProvider {
  /** `org/ns/app_XXXXXXXX`: fixed for the life of the app; its hash is the app's instance id. */
  readonly tokenId: string;
  /** The app's signature key (control-message signatures and the MLS leaf key). */
  readonly signingKey: SigningKey;
  /** A fresh token (new nonce, current time). The reference mints one per outgoing batch. */
  token(): string;
}

export interface IdentityVerifier {
  /**
   * Claims of a valid token; throws AUTH otherwise (bad MAC, outside the time window, malformed).
   * `atSeconds` checks the time window as of that instant (unix seconds) instead of now: the MLS
   * layer uses it to check credentials already admitted to a group, whose tokens may be old.
   */
  verify(token: string, atSeconds?: number): TokenClaims;
  /**
   * The identity an allow list sees for a verified token id (`sub`), where only the id is at hand
   * (an MLS member's credential): the claimed name with a shared secret. Absent: `sub` itself.
   */
  identityOf?(sub: string): string;
}

export type Clock = () => number; // epoch milliseconds

export class SharedSecretIdentity implements IdentityProvider, IdentityVerifier {
  readonly tokenId: string;
  readonly signingKey: SigningKey;
  private readonly secret: string;
  private readonly clock: Clock;
  private readonly minter: TokenMinter;

  constructor(options: {
    /** `org/ns/app`, the name without an id. */
    baseName: string;
    secret: string;
    signingKey?: SigningKey;
    tokenId?: string;
    clock?: Clock;
  }) {
    checkSecret(options.secret);
    this.secret = options.secret;
    this.tokenId = options.tokenId ?? newTokenId(options.baseName);
    if (!this.tokenId.startsWith(`${options.baseName}_`)) {
      throw new GatewayError('CONFIG', 'token id must start with the app name');
    }
    this.signingKey = options.signingKey ?? generateSigningKey();
    this.clock = options.clock ?? Date.now;
    this.minter = new TokenMinter(this.tokenId, this.secret, this.signingKey.publicKey);
  }

  token(): string {
    return this.minter.mint(this.clock() / 1000);
  }

  verify(token: string, atSeconds?: number): TokenClaims {
    return verifyToken(token, this.secret, atSeconds ?? Math.floor(this.clock() / 1000));
  }

  /** Any holder of the secret can claim any name: the identity is the name claimed. */
  identityOf(sub: string): string {
    return claimedName(sub);
  }
}
