// This gateway's SLIM identity, built from `slim.sharedSecret` or `slim.jwt` + `slim.trust`
// (docs/security.md): one verifier for the whole gateway (one JWKS cache, one verified-token
// cache), one identity per app (its own MLS signature key; with JWT, the gateway's subject), and
// every refusal logged by the refusing side with its reason (never the token).
import type { IdentityConfig } from '../config/types.js';
import { JwtIdentity, JwtVerifier, LoggedVerifier, SharedSecretIdentity } from '../slim/auth/index.js';
import type {
  IdentityProvider,
  IdentityVerifier,
  JwtSignerOptions,
  SigningKey,
  TokenClaims,
} from '../slim/auth/index.js';
import type { Logger } from '../util/log.js';

export type AppIdentity = IdentityProvider & IdentityVerifier;

/** A provider with its checks routed through another verifier (the logged, shared one). */
class Composed implements AppIdentity {
  constructor(
    private readonly provider: IdentityProvider,
    private readonly verifier: IdentityVerifier,
  ) {}

  get tokenId(): string {
    return this.provider.tokenId;
  }

  get signingKey(): SigningKey {
    return this.provider.signingKey;
  }

  token(): string {
    return this.provider.token();
  }

  identityOf(sub: string): string {
    return this.verifier.identityOf?.(sub) ?? sub;
  }

  verify(token: string, atSeconds?: number): TokenClaims {
    return this.verifier.verify(token, atSeconds);
  }
}

type JwtConfig = Extract<IdentityConfig, { kind: 'jwt' }>;

/** What signs this gateway's tokens (`slim.jwt`): also a node link's bearer token (no key binding). */
export function jwtSignerOptions(config: JwtConfig): JwtSignerOptions {
  return {
    source:
      config.keyFile !== undefined
        ? { kind: 'keyFile', path: config.keyFile }
        : { kind: 'tokenFile', path: config.tokenFile! },
    subject: config.subject,
    ...(config.issuer !== undefined ? { issuer: config.issuer } : {}),
    audience: config.audience,
    lifetimeSeconds: config.lifetimeSeconds,
  };
}

/** Builds the identities of one gateway's apps; the JWT verifier is built once and shared. */
export class GatewayIdentities {
  private jwtVerifier: Promise<IdentityVerifier> | undefined;

  /**
   * The gateway's verifier of `slim.trust` (logging refusals), built once: for its apps and for
   * anything else that accepts the same tokens (a node listener's JWT authentication).
   */
  verifier(config: JwtConfig, logger: Logger): Promise<IdentityVerifier> {
    this.jwtVerifier ??= (async () => {
      const v = new JwtVerifier({
        keyFiles: config.trust.keyFiles,
        ...(config.trust.jwksUrl !== undefined ? { jwksUrl: config.trust.jwksUrl } : {}),
        issuers: config.trust.issuers,
        ...(config.trust.audience !== undefined ? { audience: config.trust.audience } : {}),
        logger,
      });
      await v.ready();
      return new LoggedVerifier(v, logger);
    })().catch((err: unknown) => {
      this.jwtVerifier = undefined; // a key file fixed later is read at the next attempt
      throw err;
    });
    return this.jwtVerifier;
  }

  /** An identity for app `baseName` (`org/ns/app`); with JWT, waits for the first JWKS fetch. */
  async forApp(config: IdentityConfig, baseName: string, logger: Logger): Promise<AppIdentity> {
    if (config.kind === 'sharedSecret') {
      const own = new SharedSecretIdentity({ baseName, secret: config.secret });
      return new Composed(own, new LoggedVerifier(own, logger));
    }
    const verifier = await this.verifier(config, logger);
    const own = new JwtIdentity({ ...jwtSignerOptions(config), verifier });
    return new Composed(own, verifier);
  }
}
