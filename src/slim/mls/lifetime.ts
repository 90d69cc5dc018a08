// KeyPackage lifetimes at the committer. ts-mls refuses a KeyPackage whose lifetime does not hold
// the system clock's current second, with no leeway, and the reference sets not_before to its own
// "now": a peer whose clock runs a few seconds ahead would be refused. So a KeyPackage that becomes
// valid within the allowed skew is waited for (bounded, abandoned if the group closes); further
// ahead, or already expired, it is refused as AUTH with a clear reason.
import type { LeafNode } from 'ts-mls';
import { GatewayError } from '../../util/errors.js';
import { KEY_PACKAGE_FUTURE_SKEW_SECONDS } from './profile.js';

const POLL_MS = 100;

export async function waitForLifetime(leaf: LeafNode, closed: () => boolean): Promise<void> {
  if (leaf.leafNodeSource !== 'key_package') return;
  const { notBefore, notAfter } = leaf.lifetime;
  const nowSeconds = () => BigInt(Math.floor(Date.now() / 1000));
  if (notAfter < nowSeconds()) throw new GatewayError('AUTH', 'KeyPackage lifetime has ended');
  if (notBefore - nowSeconds() > KEY_PACKAGE_FUTURE_SKEW_SECONDS) {
    throw new GatewayError('AUTH', 'KeyPackage is not valid yet (clock skew beyond the allowed margin)');
  }
  // At most KEY_PACKAGE_FUTURE_SKEW_SECONDS + 1 s, in short steps so a close ends the wait early.
  while (notBefore > nowSeconds()) {
    if (closed()) throw new GatewayError('CLOSED', 'MLS group closed while waiting for a KeyPackage');
    await new Promise<void>((resolve) => setTimeout(resolve, POLL_MS));
  }
}
