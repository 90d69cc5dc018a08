// Benchmark helper process: one of our SLIM apps, linked over gRPC to the node at argv[2], serving
// `bench.Echo/Echo` with SLIMRPC (MLS required). Prints "ready" on stdout once serving; exits on
// SIGTERM or when stdin closes (so it never outlives the benchmark).
import { GrpcLink } from '../../src/slim/dataplane/grpc-link.js';
import { createRpcServer } from '../../src/slim/rpc/index.js';
import { makeApp } from '../../test/support/session-apps.js';

const endpoint = process.argv[2];
const name = process.argv[3] ?? 'org/ns/bench-srv';
if (!endpoint) throw new Error('usage: rpc-echo-server <node endpoint> [name]');
const app = await makeApp({ name, link: new GrpcLink({ endpoint }), mls: true });
const server = createRpcServer(app, {
  services: [
    { name: 'bench.Echo', methods: { Echo: { kind: 'unary', handler: (r) => Promise.resolve(r) } } },
  ],
});
const stop = async () => {
  await server.close();
  await app.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
process.stdout.write('ready\n');
