// The seam for authenticated links (docs/security.md, Node authentication): what a link presents
// and what a node checks, as the reference's client and server auth layers do. A link asks its
// LinkCredentials for the `authorization` header value before every connect (so a rotated token
// or a freshly minted JWT goes with each new connection); a node asks its LinkAuthenticator to
// check that value before it accepts an OpenChannel stream. Implementations: Basic and a bearer
// token file (basic-auth.ts, bearer-file.ts); JWT signing and verification plug in here too.

/** The header carrying link credentials, as the reference (tower-http, tonic) sends it. */
export const AUTHORIZATION_HEADER = 'authorization';

/** What a link presents to its node. */
export interface LinkCredentials {
  /** For logs and messages: 'basic', 'bearer' or 'jwt' (never the credential). */
  readonly scheme: string;
  /** The full header value, e.g. "Basic dXNlcjpwYXNz"; rejects with a GatewayError (AUTH). */
  authorization(): Promise<string>;
}

export type LinkAuthResult =
  /** `principal`: who authenticated (a user name, a token subject), safe to log. */
  | { readonly ok: true; readonly principal: string }
  /** `reason`: why not, safe to log and to send back (never echoes the credential). */
  | { readonly ok: false; readonly reason: string };

/** What a node checks on every link before accepting it. */
export interface LinkAuthenticator {
  /** For logs: the schemes accepted, e.g. 'basic'. */
  readonly scheme: string;
  /** Checks one `authorization` header value (undefined when the link sent none). */
  check(authorization: string | undefined): LinkAuthResult | Promise<LinkAuthResult>;
}
