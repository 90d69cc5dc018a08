// Access rules seen from the reference: a reference SLIMRPC client (the bindings' Channel, shared
// secret, MLS on) calling mcp.v1.McpService on our services. Its verified identity is the name it
// claims (acme/demo/ref-client): a service whose `allow` matches it answers; one whose `allow` does
// not answers PERMISSION_DENIED (7) naming the reason, and logs the caller. And a reference
// moderator inviting one of our apps that refuses it: the GROUP_NACK we answer is not understood
// by the reference, whose invitation fails at its deadline as for silence (it does not hang), and
// its group goes on. Fails (never skips) if the reference cannot load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { testStdioBackend } from '../support/mcp/gateway.js';
import { backendYaml } from '../support/mcp/slim-pair.js';
import { captureLogs } from '../support/log-capture.js';
import { SHARED_SECRET, startRealGateway } from '../support/real-gateway.js';
import { ReferencePeer } from '../support/reference.js';
import {
  REF_GROUP_CREATE,
  REF_GROUP_MEMBER,
  REF_SAY,
  refGot,
  referenceApp,
  startNode,
} from '../support/reference-sessions.js';
import { makeApp } from '../support/session-apps.js';

type Outcome = { ok: true; value: string[] } | { ok: false; code: number; message: string };

const CALL = `
  const ch = objects.get(args.channel);
  const md = new Map(Object.entries(args.metadata));
  const payload = te.encode(args.json).buffer;
  try {
    const reader = await ch.callUnaryStreamAsync('mcp.v1.McpService', 'Request', payload, undefined, md);
    const out = [];
    for (;;) {
      const m = await reader.nextAsync();
      if (m.tag === 'Data') out.push(td.decode(new Uint8Array(m.inner[0])));
      else if (m.tag === 'Error') throw m.inner[0];
      else return { ok: true, value: out };
    }
  } catch (e) {
    const inner = e?.inner ?? {};
    return { ok: false, code: Number(inner.code ?? -1), message: String(inner.message ?? e) };
  }`;

test('a reference SLIMRPC client outside allow gets PERMISSION_DENIED', { timeout: 180_000 }, async (t) => {
  const logs = captureLogs('info');
  const backend = backendYaml(testStdioBackend());
  const gateway = await startRealGateway(
    `slim: { node: embedded, listen: "127.0.0.1:0", name: acme/demo/server-gateway, sharedSecret: ${SHARED_SECRET} }
http: { listen: "127.0.0.1:0" }
services:
  - { name: acme/demo/open, mcp: ${backend}, allow: [acme/demo/ref-*] }
  - { name: acme/demo/closed, mcp: ${backend}, allow: ['acme/ops/**'] }
`,
    { logger: logs.logger },
  );
  t.after(() => gateway.close());
  const peer = await ReferencePeer.start({ label: 'authz-client' });
  t.after(() => peer.stop());
  await peer.run(
    `const me = new s.Name('acme', 'demo', 'ref-client');
     const app = svc.createAppWithSecret(me, args.secret);
     const conn = await svc.connectAsync(s.newInsecureClientConfig(args.endpoint));
     await app.subscribeAsync(me, conn);
     objects.set('open', s.Channel.newWithConnection(app, new s.Name('acme', 'demo', 'open'), conn));
     objects.set('closed', s.Channel.newWithConnection(app, new s.Name('acme', 'demo', 'closed'), conn));
     return true;`,
    { secret: SHARED_SECRET, endpoint: gateway.nodeUrl },
  );
  const initialize = {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'reference', version: '2' },
    },
  };
  const call = (channel: string) =>
    peer.run<Outcome>(
      CALL,
      { channel, json: JSON.stringify(initialize), metadata: { 'mcp-session-id': randomUUID() } },
      60_000,
    );

  const allowed = await call('open');
  assert.ok(allowed.ok, `the allowed caller was refused: ${JSON.stringify(allowed)}\n${peer.logTail()}`);
  assert.equal((JSON.parse(allowed.value.at(-1)!) as { id: number }).id, 1);

  const refused = await call('closed');
  assert.equal(refused.ok, false, 'the caller outside allow was served');
  if (refused.ok) return;
  assert.equal(refused.code, 7, `PERMISSION_DENIED, got ${refused.code}: ${refused.message}`);
  assert.match(
    refused.message,
    /caller acme\/demo\/ref-client is not allowed: not in the allow list of acme\/demo\/closed/,
  );
  const line = await logs.waitFor(/call refused: caller not allowed/);
  assert.equal(line['caller'], 'acme/demo/ref-client');
});

/** As REF_INVITE (reference-sessions.ts), reporting the outcome instead of throwing. */
const REF_TRY_INVITE = `
  const name = new s.Name('org', 'ns', args.name);
  await objects.get('app').setRouteAsync(name, objects.get('conn'));
  try {
    await objects.get('sess:' + args.tag).inviteAndWaitAsync(name);
    return 'joined';
  } catch (e) {
    return 'failed: ' + String(e?.inner?.message ?? e?.message ?? e);
  }`;

test(
  'a reference moderator whose invitation our app refuses fails that invite at its deadline, and goes on',
  { timeout: 180_000 },
  async (t) => {
    const node = await startNode('ours');
    const [mod, member] = (await Promise.all(['refmod', 'refp2'].map((n) => referenceApp(node, n)))) as [
      ReferencePeer,
      ReferencePeer,
    ];
    let offered = 0;
    const ours = await makeApp({
      name: 'org/ns/picky',
      link: node.link(),
      mls: true,
      acceptPolicy: () => (offered++, false),
    });
    t.after(async () => {
      await ours.close();
      await Promise.allSettled([mod.stop(), member.stop()]);
      await node.close();
    });
    const tag = 'R';
    await mod.run(REF_GROUP_CREATE, { channel: 'refused', tag, mls: true, me: 'refmod' }, 60_000);
    const outcome = await mod.run<string>(REF_TRY_INVITE, { tag, name: 'picky' }, 90_000);
    assert.match(outcome, /^failed: /, `the refused invitation ended (${outcome})`);
    assert.ok(offered >= 1, 'our app was asked and refused');
    const joined = member.run(REF_GROUP_MEMBER, { tag, me: 'refp2' }, 60_000);
    const again = await mod.run<string>(REF_TRY_INVITE, { tag, name: 'refp2' }, 90_000);
    assert.equal(again, 'joined');
    await joined;
    await mod.run(REF_SAY, { tag, text: 'after the refusal' }, 60_000);
    await refGot(member, tag, 'after the refusal');
  },
);
