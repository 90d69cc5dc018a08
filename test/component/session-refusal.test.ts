// An app whose accept policy refuses a group invitation answers it at once (a signed GROUP_NACK
// naming the reason), so our moderator's invite fails with AUTH and that reason instead of waiting
// for its deadline; the group goes on with the members that accepted. The refusing app logs who
// it refused. On our node, in-process links.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseName } from '../../src/slim/dataplane/name.js';
import { SlimNode } from '../../src/slim/node/index.js';
import { isGatewayError } from '../../src/util/errors.js';
import { makeApp, nextIncoming, take } from '../support/session-apps.js';

test(
  "a refused group invitation fails at once with the invitee's reason",
  { timeout: 120_000 },
  async (t) => {
    const node = await SlimNode.create();
    const offered: string[] = [];
    const alice = await makeApp({ name: 'org/ns/alice', link: node.connectInProcess(), mls: true });
    const bob = await makeApp({
      name: 'org/ns/bob',
      link: node.connectInProcess(),
      mls: true,
      acceptPolicy: (r) => (offered.push(r.identity), false),
    });
    const carol = await makeApp({ name: 'org/ns/carol', link: node.connectInProcess(), mls: true });
    t.after(async () => {
      await Promise.all([alice.close(), bob.close(), carol.close()]);
      await node.close();
    });
    // A setup budget far beyond the test's limit: only the refusal can end the invitation in time.
    const group = await alice.createSession(parseName('org/ns/room'), {
      kind: 'group',
      mls: true,
      setupTimeoutMs: 600_000,
    });
    await assert.rejects(group.invite(parseName('org/ns/bob'), { timeoutMs: 600_000 }), (e: unknown) => {
      assert.ok(isGatewayError(e, 'AUTH'), String(e));
      assert.match(
        (e as Error).message,
        /org\/ns\/bob refused to join: org\/ns\/bob does not accept org\/ns\/alice/,
      );
      return true;
    });
    assert.deepEqual(offered, ['org/ns/alice'], "the invitee saw the inviter's verified identity");
    const incoming = nextIncoming(carol);
    await group.invite(parseName('org/ns/carol'));
    const sc = await incoming;
    await group.publish(Buffer.from('still going'));
    assert.deepEqual(await take(sc.messages()[Symbol.asyncIterator](), 1), ['still going']);
    assert.deepEqual(
      group
        .participants()
        .map((n) => n.app)
        .sort(),
      ['alice', 'carol'],
    );
  },
);
