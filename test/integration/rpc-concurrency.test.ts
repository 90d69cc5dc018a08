// Integration: 2,000 unary calls issued in the same tick on one SLIMRPC channel, MLS on, between
// two of our apps linked over gRPC to our node: every call completes with its own answer, all on
// one session. (The reference Node client hangs in this situation, spec/slimrpc-a2a-mcp.md §1.10.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GrpcLink } from '../../src/slim/dataplane/grpc-link.js';
import { parseName } from '../../src/slim/dataplane/name.js';
import { SlimNode } from '../../src/slim/node/index.js';
import { createChannel, createRpcServer } from '../../src/slim/rpc/index.js';
import { testService } from '../support/rpc-contract.js';
import { makeApp } from '../support/session-apps.js';

/** Hang guard only (never a timing assertion). */
const HANG_GUARD = { timeout: 600_000 };

const te = new TextEncoder();
const td = new TextDecoder();

test(
  '2,000 concurrent unary calls on one channel over our node, MLS on, all answered',
  HANG_GUARD,
  async (t) => {
    const node = await SlimNode.create({ listen: '127.0.0.1:0' });
    t.after(() => node.close());
    const serverApp = await makeApp({
      name: 'org/ns/many-srv',
      link: new GrpcLink({ endpoint: node.endpoint! }),
      mls: true,
    });
    const clientApp = await makeApp({
      name: 'org/ns/many-cli',
      link: new GrpcLink({ endpoint: node.endpoint! }),
      mls: true,
    });
    t.after(() => Promise.all([serverApp.close(), clientApp.close()]));
    const server = createRpcServer(serverApp, { services: [testService()] });
    t.after(() => server.close());
    const channel = createChannel(clientApp, parseName('org/ns/many-srv'));
    t.after(() => channel.close());

    const n = 2000;
    const answers = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        channel.unary('test.Contract', 'Echo', te.encode(`#${i}`), {
          metadata: { who: String(i) },
          timeoutMs: 120_000,
        }),
      ),
    );
    answers.forEach((a, i) => assert.equal(td.decode(a), `${i}:#${i}`));
  },
);
