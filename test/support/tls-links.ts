// Our gRPC links to one TLS endpoint for a test: each made with the given credentials (or none),
// all closed after the test.
import { GrpcLink } from '../../src/slim/dataplane/grpc-link.js';
import type { LinkCredentials } from '../../src/slim/dataplane/link-auth.js';

type After = { after: (fn: () => unknown) => void };

export function tlsLinks(t: After, endpoint: string, ca: Uint8Array): (auth?: LinkCredentials) => GrpcLink {
  const links: GrpcLink[] = [];
  t.after(() => Promise.all(links.map((l) => l.close())));
  return (auth) => {
    const l = new GrpcLink({ endpoint, tls: { ca }, ...(auth ? { auth } : {}), connectTimeoutMs: 10_000 });
    links.push(l);
    return l;
  };
}
