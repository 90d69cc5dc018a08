// Credential checks (docs/sessions-mls.md, docs/security.md "Identities on the wire"). A SLIM
// credential is a basic credential whose identity is a UTF-8 identity token (shared-secret token
// or JWT); it is valid when the verifier accepts the token (MAC, or JWT signature, issuer and
// audience) and its `pubkey` claim is base64(leaf signature key).
//
// Two strengths, because groups outlive tokens (a shared-secret token is valid for one hour, a JWT
// for its lifetime):
// - admission (a KeyPackage being added, by the committer): MAC, claim AND the token's time window
//   as of now. This is where expired, future or forged credentials are refused.
// - membership (every other leaf: a Welcome's ratchet tree, commit paths, processed adds): MAC (or
//   signature) and claim, with the time window checked as of the token's own issue time. The leaf was admitted
//   when its token was fresh; re-checking its age would break every group after an hour, which is
//   what the reference does (ARCHITECTURE.md, "Identity and MLS").
import type { AuthenticationService, Credential } from 'ts-mls';
import { tokenIssuedAt, tokenSubject } from '../auth/index.js';
import type { IdentityVerifier, TokenClaims } from '../auth/index.js';
import { GatewayError } from '../../util/errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The identity token carried by a basic credential; AUTH if it is not one. */
export function credentialToken(credential: Credential): string {
  if (credential.credentialType !== 'basic') {
    throw new GatewayError('AUTH', `unsupported credential type ${credential.credentialType}`);
  }
  try {
    return utf8.decode(credential.identity);
  } catch (err) {
    throw new GatewayError('AUTH', 'credential identity is not UTF-8', { cause: err });
  }
}

/**
 * The member's MLS identity, the token's subject (shared secret: the token id; JWT: `sub`), read
 * without verification: only for leaves already checked on their way into the group.
 */
export function credentialIdentity(credential: Credential): string {
  if (credential.credentialType !== 'basic') return '';
  return tokenSubject(new TextDecoder().decode(credential.identity));
}

function verify(verifier: IdentityVerifier, token: string, atSeconds?: number): TokenClaims {
  try {
    return verifier.verify(token, atSeconds);
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw new GatewayError('AUTH', 'identity token rejected', { cause: err });
  }
}

function checkClaim(claims: TokenClaims, signaturePublicKey: Uint8Array): void {
  const expected = Buffer.from(signaturePublicKey).toString('base64');
  if (claims.pubkey !== expected) {
    throw new GatewayError(
      'AUTH',
      "credential token's public key claim does not match the leaf signature key",
    );
  }
}

/** Admission check (see above). Returns the verified claims; throws AUTH naming what failed. */
export function checkAdmission(
  credential: Credential,
  signaturePublicKey: Uint8Array,
  verifier: IdentityVerifier,
): TokenClaims {
  const claims = verify(verifier, credentialToken(credential));
  checkClaim(claims, signaturePublicKey);
  return claims;
}

/** Membership check (see above). */
export function checkMembership(
  credential: Credential,
  signaturePublicKey: Uint8Array,
  verifier: IdentityVerifier,
): TokenClaims {
  const token = credentialToken(credential);
  const claims = verify(verifier, token, tokenIssuedAt(token));
  checkClaim(claims, signaturePublicKey);
  return claims;
}

/**
 * The ts-mls authentication service: the membership check, which ts-mls calls for every leaf it
 * validates. ts-mls only sees true/false, so the reason of the last refusal is kept for the caller
 * to report as AUTH (the owner of a group runs one operation at a time).
 */
export class MembershipAuthService implements AuthenticationService {
  lastRejection: GatewayError | undefined;

  constructor(private readonly verifier: IdentityVerifier) {}

  validateCredential(credential: Credential, signaturePublicKey: Uint8Array): Promise<boolean> {
    try {
      checkMembership(credential, signaturePublicKey, this.verifier);
      return Promise.resolve(true);
    } catch (err) {
      this.lastRejection =
        err instanceof GatewayError ? err : new GatewayError('AUTH', 'credential rejected', { cause: err });
      return Promise.resolve(false);
    }
  }

  /** Clears the remembered refusal before an operation. */
  reset(): void {
    this.lastRejection = undefined;
  }
}
