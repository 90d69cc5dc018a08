// Bearer tokens on links (docs/security.md, Node authentication): `authorization: Bearer <token>`,
// as the reference's JWT client layer (AddJwtLayer) sends it and its server layer (ValidateJwt)
// reads it. The token source and the check are handed in (the JWT signer and verifier of
// src/slim/auth, wired by the gateway), so the data plane knows nothing of keys or claims.
import { GatewayError, describeError } from '../../util/errors.js';
import type { LinkAuthResult, LinkAuthenticator, LinkCredentials } from './link-auth.js';

/** Longest token a node looks at (a JWT is well under 2 KiB; the header is attacker-sized). */
export const MAX_BEARER_TOKEN_LENGTH = 16 * 1024;

const BEARER = /^bearer[ ]+([A-Za-z0-9\-._~+/]+=*)[ ]*$/i;

/** Credentials presenting `token()` (asked before each connect, e.g. a JWT re-minted when due). */
export function bearerCredentials(scheme: string, token: () => string): LinkCredentials {
  return {
    scheme,
    authorization() {
      try {
        return Promise.resolve(`Bearer ${token()}`);
      } catch (err) {
        return Promise.reject(
          new GatewayError('AUTH', `cannot get a ${scheme} token for the node: ${describeError(err)}`, {
            cause: err,
          }),
        );
      }
    },
  };
}

/**
 * A node's check of bearer tokens: `verify` returns who the token names (its subject) or throws
 * with a reason that is safe to log and to send back.
 */
export class BearerAuthenticator implements LinkAuthenticator {
  constructor(
    readonly scheme: string,
    private readonly verify: (token: string) => string | Promise<string>,
  ) {}

  async check(authorization: string | undefined): Promise<LinkAuthResult> {
    if (authorization === undefined)
      return { ok: false, reason: 'no credentials (a bearer token is required)' };
    if (authorization.length > MAX_BEARER_TOKEN_LENGTH + 16) return { ok: false, reason: 'token too long' };
    const m = BEARER.exec(authorization);
    if (!m) return { ok: false, reason: 'credentials are not a bearer token' };
    try {
      return { ok: true, principal: await this.verify(m[1]!) };
    } catch (err) {
      return { ok: false, reason: describeError(err) };
    }
  }
}
