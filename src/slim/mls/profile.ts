// SLIM's MLS profile (docs/sessions-mls.md#ciphersuite) expressed as ts-mls settings: ciphersuite
// 0x0002, basic credentials only, no extensions, capabilities an mls-rs peer accepts (no GREASE,
// no x509), KeyPackage lifetimes that tolerate clock skew, and key-retention limits wide enough for
// group traffic (publish_to and losses skip generations for the members that miss them).
import { defaultKeyPackageEqualityConfig } from 'ts-mls';
import type { AuthenticationService, Capabilities, ClientConfig, Lifetime } from 'ts-mls';

export const CIPHERSUITE = 'MLS_128_DHKEMP256_AES128GCM_SHA256_P256' as const;

/** mls-rs lists more suites; ours is the one SLIM negotiates (docs/sessions-mls.md#ciphersuite). */
export const CAPABILITIES: Capabilities = {
  versions: ['mls10'],
  ciphersuites: [CIPHERSUITE],
  extensions: [],
  proposals: [],
  credentials: ['basic'],
};

/** Group id length: mls-rs uses kdf_extract_size random bytes (32 for SHA-256). */
export const GROUP_ID_BYTES = 32;

/**
 * not_before is set this far in the past so that a committer whose clock is behind ours still
 * accepts the KeyPackage (mls-rs and ts-mls both compare it with their own clock, with no leeway).
 */
export const KEY_PACKAGE_BACKDATE_SECONDS = 60n;
/** The reference's KeyPackages live 365 days; ours do the same. */
export const KEY_PACKAGE_LIFETIME_SECONDS = 365n * 86_400n;
/**
 * A KeyPackage whose not_before is at most this far in our future is waited for rather than refused
 * (ts-mls checks lifetimes against the system clock and the reference sets not_before = its now).
 * Equal to the token's future skew: a peer further ahead is refused by the token check anyway.
 */
export const KEY_PACKAGE_FUTURE_SKEW_SECONDS = 5n;

/**
 * Lifetimes follow the system clock on purpose: ts-mls validates them against Date.now(), and
 * mls-rs against the peer's system clock. Token times (the identity provider's clock) are separate.
 */
export function keyPackageLifetime(nowMs: number = Date.now()): Lifetime {
  const now = BigInt(Math.floor(nowMs / 1000));
  return { notBefore: now - KEY_PACKAGE_BACKDATE_SECONDS, notAfter: now + KEY_PACKAGE_LIFETIME_SECONDS };
}

/** Receivers skip generations when they miss messages; ts-mls's default (200) is too tight. */
export const KEY_RETENTION = {
  /** Out-of-order keys kept per sender within an epoch. */
  retainKeysForGenerations: 1000,
  /** Past epochs whose receive keys are kept (late messages across a commit). */
  retainKeysForEpochs: 4,
  /** Largest forward jump in one sender's generation. */
  maximumForwardRatchetSteps: 1000,
} as const;

export function clientConfig(authService: AuthenticationService): ClientConfig {
  return {
    keyRetentionConfig: { ...KEY_RETENTION },
    // Receivers do not re-check lifetimes (mls-rs joins with no time either); the committer does.
    lifetimeConfig: {
      maximumTotalLifetime: KEY_PACKAGE_LIFETIME_SECONDS * 2n,
      validateLifetimeOnReceive: false,
    },
    keyPackageEqualityConfig: defaultKeyPackageEqualityConfig,
    paddingConfig: { kind: 'padUntilLength', padUntilLength: 256 },
    authService,
  };
}
