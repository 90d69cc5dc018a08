// Component: links to a node over TLS and mTLS (https:// endpoints). PEM material comes from
// test/fixtures/tls (test-only, see gen.sh); the caller reads files and passes bytes, as the
// gateway's config layer does. A node that does not trust the client, or a client that does not
// trust the node, ends in a typed error, never a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SlimNode } from '../../src/slim/node/index.js';
import { GrpcLink } from '../../src/slim/dataplane/grpc-link.js';
import { makeName } from '../../src/slim/dataplane/name.js';
import { Inbox, publishFrame } from '../support/dataplane.js';
import { REPO_ROOT } from '../support/paths.js';

const pem = (f: string) => new Uint8Array(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'tls', f)));
const ca = pem('ca.pem');
const alice = makeName('org', 'ns', 'alice', 1n);
const bob = makeName('org', 'ns', 'bob', 2n);

async function exchange(
  endpoint: string,
  tls: ConstructorParameters<typeof GrpcLink>[0]['tls'],
): Promise<void> {
  const a = new GrpcLink({ endpoint, tls });
  const b = new GrpcLink({ endpoint, tls });
  try {
    const inbox = new Inbox(b);
    await a.start();
    await b.start();
    await b.subscribe(bob, { source: bob });
    await a.publish(publishFrame(alice, bob, 'over tls'));
    await inbox.until((x) => x.includes('over tls'), 'frame over TLS');
    assert.ok(a.headerMacActive);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

test('TLS: a link that trusts the node CA exchanges frames; one that does not is UNREACHABLE', async (t) => {
  const node = await SlimNode.create({
    listen: '127.0.0.1:0',
    tls: { cert: pem('node.pem'), key: pem('node.key') },
  });
  t.after(() => node.close());
  assert.match(node.endpoint!, /^https:\/\/127\.0\.0\.1:\d+$/);
  await exchange(node.endpoint!, { ca });
  const untrusting = new GrpcLink({ endpoint: node.endpoint!, connectTimeoutMs: 5_000 });
  await assert.rejects(untrusting.start(), { code: 'UNREACHABLE' });
  await untrusting.close();
});

test('mTLS: a client certificate is required; without one the link fails with a typed error', async (t) => {
  const node = await SlimNode.create({
    listen: '127.0.0.1:0',
    tls: { cert: pem('node.pem'), key: pem('node.key'), ca },
  });
  t.after(() => node.close());
  await exchange(node.endpoint!, { ca, cert: pem('client.pem'), key: pem('client.key') });
  const noCert = new GrpcLink({
    endpoint: node.endpoint!,
    tls: { ca },
    connectTimeoutMs: 5_000,
    negotiationTimeoutMs: 2_000,
  });
  await assert.rejects(
    noCert.start(),
    (e: Error & { code?: string }) => e.code === 'UNREACHABLE' || e.code === 'LINK_REFUSED',
  );
  await noCert.close();
});

test('TLS options are checked: material for an http:// endpoint, a certificate without its key', () => {
  assert.throws(() => new GrpcLink({ endpoint: 'http://127.0.0.1:1', tls: { ca } }), {
    code: 'INVALID_ARGUMENT',
  });
  assert.throws(() => new GrpcLink({ endpoint: 'https://127.0.0.1:1', tls: { cert: pem('client.pem') } }), {
    code: 'INVALID_ARGUMENT',
  });
  assert.throws(() => new GrpcLink({ endpoint: 'ws://127.0.0.1:1' }), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => new GrpcLink({ endpoint: '127.0.0.1:1' }), { code: 'INVALID_ARGUMENT' });
});
