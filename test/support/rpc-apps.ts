// SLIM apps with MLS for SLIMRPC tests on real sessions: a shared-secret identity and an MLS
// client per app, on any Link (the session layer's in-memory fabric, or a link to a node).
import { SharedSecretIdentity } from '../../src/slim/auth/index.js';
import type { Link } from '../../src/slim/dataplane/link.js';
import { parseName } from '../../src/slim/dataplane/name.js';
import { createMlsClient } from '../../src/slim/mls/index.js';
import { createSlimApp } from '../../src/slim/session/index.js';
import type { AcceptPolicy, SlimApp } from '../../src/slim/session/index.js';

export const SECRET = 'a-very-long-shared-secret-0123456789abcdef';

export function mlsApp(
  name: string,
  link: Link,
  options: { secret?: string; acceptPolicy?: AcceptPolicy; heartbeatIntervalMs?: number } = {},
): Promise<SlimApp> {
  const identity = new SharedSecretIdentity({ baseName: name, secret: options.secret ?? SECRET });
  return createSlimApp({
    name: parseName(name),
    link,
    identity,
    mls: () => createMlsClient({ identity, verifier: identity }),
    acceptPolicy: options.acceptPolicy,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
  });
}
