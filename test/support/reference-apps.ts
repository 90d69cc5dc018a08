// Scripts for reference SLIM apps (test/fixtures/reference/peer.mjs): connect an app to a node
// and subscribe its own name. Shared by the interop tests of the data plane.
import type { ReferencePeer } from './reference.js';

export const SHARED_SECRET = 'a-very-long-shared-secret-0123456789abcdef';

/** Creates app org/ns/<name> in `peer`, connects it to `endpoint` and subscribes its name. */
export async function connectReferenceApp(
  peer: ReferencePeer,
  name: string,
  endpoint: string,
): Promise<string> {
  return peer.run<string>(
    `const me = new s.Name('org', 'ns', args.name);
     const app = svc.createAppWithSecret(me, args.secret);
     const conn = await svc.connectAsync(s.newInsecureClientConfig(args.endpoint));
     await app.subscribeAsync(me, conn);
     objects.set('app', app); objects.set('conn', conn);
     return String(app.id());`,
    { name, secret: SHARED_SECRET, endpoint },
  );
}
