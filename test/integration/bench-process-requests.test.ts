// Integration: the measuring processes of the benchmarks and the soak (bench/support/processes.ts
// driving bench/support/gateway-process.ts, a real gateway with its embedded SLIM node). Memory
// readings and reloads in flight at once each get their own reply (the soak asks both of the same
// process), and a request that is never answered fails with an error naming it instead of waiting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProc } from '../../bench/support/processes.js';

const SECRET = 'bench-requests-secret-0123456789-0123456789';

test(
  'a gateway process asked for memory and a reload at once answers each request with its own reply',
  { timeout: 90_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'slim-gw-bench-req-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const backend = await startProc('mcp-http-server.js', []);
    t.after(() => backend.stop());
    const file = join(dir, 'gateway.yaml');
    writeFileSync(
      file,
      `slim: { node: embedded, listen: "127.0.0.1:0", name: acme/bench/server, sharedSecret: ${SECRET} }
http: { listen: "127.0.0.1:0" }
services:
  - { name: acme/bench/tools, mcp: { url: "${backend.ready['url']}" } }
`,
    );
    const gateway = await startProc('gateway-process.js', [file]);
    t.after(() => gateway.stop());

    // A reload answers later than a memory reading: issued first, its reply comes after the
    // readings asked after it, which must not take it.
    const asked = Array.from({ length: 5 }, () => [
      gateway.ask('reload'),
      gateway.ask('mem'),
      gateway.ask('mem'),
    ]).flat();
    const replies = await Promise.all(asked);
    replies.forEach((reply, i) => {
      if (i % 3 === 0)
        assert.deepEqual(reply, { id: reply['id'], event: 'reloaded' }, `request ${i}: a reload`);
      else {
        assert.equal(reply['event'], 'mem', `request ${i}: a memory reading`);
        assert.ok((reply['rss'] as number) > 0 && (reply['fds'] as number) > 0, `request ${i}: figures`);
      }
    });
    assert.equal(new Set(replies.map((r) => r['id'])).size, replies.length, 'one reply per request');
  },
);

test('a request the process never answers fails with an error naming it', { timeout: 60_000 }, async (t) => {
  // The MCP server process prints `ready` and answers nothing on stdin.
  const silent = await startProc('mcp-http-server.js', []);
  t.after(() => silent.stop());
  await assert.rejects(
    silent.ask('mem', 1_000),
    /mcp-http-server\.js: no reply to "mem" \(request 1\) within 1 s/,
  );
});
