// What a stranger connected to the node can do to a session it is not part of: nothing. Alice and
// bob hold a reliable point-to-point session through our node (in-process links, tapped); mallory
// is another app on the node, over gRPC, holding the shared secret (so its tokens are valid, but
// its own). She injects a MSG_ACK and an RTX_REQUEST in bob's name, an RTX_REQUEST in her own
// name, and a data message in alice's name. Each is refused: alice keeps retransmitting until bob
// really acknowledges, sends nobody a retransmission on mallory's word, and bob delivers only what
// alice sent. Then, inside a group whose members skip the header check (percentage 0, as the
// reference allows), a member that sends data in another member's name is refused too.
//
// Ordering without timing: the taps see a frame before the session does, and a session handles
// its frames and calls in order, so once a forged frame was seen arriving, whatever alice does
// next happens after the session dealt with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedSecretIdentity } from '../../src/slim/auth/index.js';
import { GrpcLink } from '../../src/slim/dataplane/index.js';
import { formatName, parseName, toProtoName } from '../../src/slim/dataplane/name.js';
import type { SlimName } from '../../src/slim/dataplane/name.js';
import { SlimNode } from '../../src/slim/node/index.js';
import { decodeMessage } from '../../src/slim/proto/index.js';
import type { Message } from '../../src/slim/proto/index.js';
import { MsgType, SessionType, appFrame, readFrame } from '../../src/slim/session/frames.js';
import type { Session, SessionMessage } from '../../src/slim/session/index.js';
import { SECRET, makeApp, nextIncoming, withTimeout } from '../support/session-apps.js';
import { TapLink } from '../support/tap-link.js';
import { until } from '../support/until.js';

const T = { timeout: 120_000 };

async function setup(t: { after: (fn: () => Promise<unknown>) => void }, mls: boolean) {
  const node = await SlimNode.create({ listen: '127.0.0.1:0' });
  const aliceLink = new TapLink(node.connectInProcess());
  const bobLink = new TapLink(node.connectInProcess());
  const alice = await makeApp({ name: 'org/ns/alice', link: aliceLink, mls });
  const bob = await makeApp({ name: 'org/ns/bob', link: bobLink, mls });
  const mallory = new SharedSecretIdentity({ baseName: 'org/ns/mallory', secret: SECRET });
  const strangerLink = new GrpcLink({ endpoint: node.endpoint! });
  await strangerLink.start();
  t.after(async () => {
    await Promise.all([alice.close(), bob.close(), strangerLink.close()]);
    await node.close();
  });
  const incoming = nextIncoming(bob);
  const sa = await alice.createSession(parseName('org/ns/bob'), { kind: 'p2p', mls, intervalMs: 300 });
  const sb = await incoming;
  /** A frame of this session, from `source` to `destination`, with mallory's token. */
  const forge = (
    type: MsgType,
    id: number,
    source: SlimName,
    destination: SlimName,
    blob = new Uint8Array(),
  ) => {
    const m = appFrame(
      { source, destination, sessionType: SessionType.POINT_TO_POINT, sessionId: sa.id },
      type,
      id,
      type === MsgType.MSG ? 'msg' : '',
      blob,
    );
    if (m.messageType.case === 'publish') m.messageType.value.header!.identity = mallory.token();
    return m;
  };
  const inject = (m: Message) => strangerLink.publish(m);
  return { alice, bob, aliceLink, bobLink, sa, sb, forge, inject, strangerLink };
}

function reader(s: Session): AsyncIterator<SessionMessage> {
  return s.messages()[Symbol.asyncIterator]();
}

async function next(it: AsyncIterator<SessionMessage>): Promise<SessionMessage> {
  const r = await withTimeout(it.next(), 30_000, 'a message');
  if (r.done) throw new Error('the session ended');
  return r.value;
}

for (const mls of [true, false]) {
  test(
    `a forged MSG_ACK in the peer's name acknowledges nothing (MLS ${mls ? 'on' : 'off'})`,
    T,
    async (t) => {
      const { alice, bob, aliceLink, sa, sb, forge, inject } = await setup(t, mls);
      // Every copy of alice's message 1 is lost until the forged acknowledgement has reached her.
      let forgedSeen = false;
      aliceLink.inbound = (m) => {
        const f = readFrame(m);
        if (f?.type === MsgType.MSG_ACK && f.messageId === 1 && f.identity.startsWith('org/ns/mallory_'))
          forgedSeen = true;
        return m;
      };
      let copiesAfter = 0;
      aliceLink.outbound = (m) => {
        const f = readFrame(m);
        if (f?.type !== MsgType.MSG || f.messageId !== 1) return m;
        if (!forgedSeen) return null;
        copiesAfter++;
        return m;
      };
      const it = reader(sb);
      await sa.publish(Buffer.from('real'));
      await inject(forge(MsgType.MSG_ACK, 1, bob.name, alice.name));
      await until(() => forgedSeen, 'the forged MSG_ACK to reach alice');
      // Alice still retransmits (the acknowledgement was not bob's), so bob gets the message.
      const got = await next(it);
      assert.equal(Buffer.from(got.payload).toString(), 'real');
      assert.equal(formatName(got.source), formatName(alice.name));
      assert.equal(got.identity, 'org/ns/alice');
      assert.ok(copiesAfter >= 1, 'alice kept retransmitting after the forgery');
    },
  );

  test(
    `forged RTX_REQUESTs get no retransmission and acknowledge nothing (MLS ${mls ? 'on' : 'off'})`,
    T,
    async (t) => {
      const { alice, bob, aliceLink, sa, sb, forge, inject } = await setup(t, mls);
      const mallory = parseName('org/ns/mallory/0123456789abcdef0123456789abcdef');
      let forged = 0;
      aliceLink.inbound = (m) => {
        const f = readFrame(m);
        if (f?.type === MsgType.RTX_REQUEST && f.identity.startsWith('org/ns/mallory_')) forged++;
        return m;
      };
      // Message 1 is lost until both forged requests have reached alice.
      aliceLink.outbound = (m) => {
        const f = readFrame(m);
        return f?.type === MsgType.MSG && f.messageId === 1 && forged < 2 ? null : m;
      };
      const it = reader(sb);
      await sa.publish(Buffer.from('one'));
      await inject(forge(MsgType.RTX_REQUEST, 1, bob.name, alice.name)); // in bob's name
      await inject(forge(MsgType.RTX_REQUEST, 1, mallory, alice.name)); // in her own name
      await until(() => forged === 2, 'the forged RTX_REQUESTs to reach alice');
      // Handled before this publish: no RTX_REPLY went anywhere on mallory's word.
      await sa.publish(Buffer.from('two'));
      const got = [await next(it), await next(it)].map((m) => Buffer.from(m.payload).toString());
      assert.deepEqual(got, ['one', 'two'], 'the real messages arrive, in order');
      // Bob, seeing the gap, asks for message 1 himself and gets it; nothing went out before that.
      const sent = aliceLink.toNode.map((b) => readFrame(decodeMessage(b))!);
      const two = sent.findIndex((f) => f.type === MsgType.MSG && f.messageId === 2);
      assert.ok(two >= 0);
      assert.ok(
        sent.slice(0, two).every((f) => f.type !== MsgType.RTX_REPLY),
        'no retransmission answered the forged requests',
      );
      assert.ok(
        sent.every((f) => f.type !== MsgType.RTX_REPLY || formatName(f.destination) === formatName(bob.name)),
        'no retransmission went to mallory',
      );
    },
  );
}

test("a stranger's data message in the peer's name is not delivered (MLS off)", T, async (t) => {
  const { alice, bob, bobLink, sa, sb, forge, inject } = await setup(t, false);
  let forgedSeen = false;
  bobLink.inbound = (m) => {
    const f = readFrame(m);
    if (f?.type === MsgType.MSG && f.identity.startsWith('org/ns/mallory_')) forgedSeen = true;
    return m;
  };
  const it = reader(sb);
  await inject(forge(MsgType.MSG, 1, alice.name, bob.name, Buffer.from('forged')));
  await until(() => forgedSeen, 'the forged message to reach bob');
  await sa.publish(Buffer.from('genuine'));
  const got = await next(it);
  assert.equal(Buffer.from(got.payload).toString(), 'genuine', 'the forged message took no place');
  assert.equal(got.identity, 'org/ns/alice');
});

test("in a group without header checks, a member cannot send data in another member's name", T, async (t) => {
  const node = await SlimNode.create();
  const links = ['alice', 'bob', 'carol'].map(() => new TapLink(node.connectInProcess()));
  const [alice, bob, carol] = await Promise.all(
    ['alice', 'bob', 'carol'].map((n, i) => makeApp({ name: `org/ns/${n}`, link: links[i]!, mls: true })),
  );
  t.after(async () => {
    await Promise.all([alice!.close(), bob!.close(), carol!.close()]);
    await node.close();
  });
  // Alice invites with header_integrity_validation_percent 0: members never compare headers.
  links[0]!.outbound = (m) => {
    const join = readFrame(m)?.command;
    if (join?.case === 'joinRequest' && join.value.mlsSettings)
      join.value.mlsSettings.headerIntegrityValidationPercent = 0;
    return m;
  };
  const group = await alice!.createSession(parseName('org/ns/room'), {
    kind: 'group',
    mls: true,
    intervalMs: 300,
  });
  const bobIn = nextIncoming(bob!);
  await group.invite(parseName('org/ns/bob'));
  const sb = await bobIn;
  const carolIn = nextIncoming(carol!);
  await group.invite(parseName('org/ns/carol'));
  const sc = await carolIn;
  // Carol's first message leaves with bob's name as its source (once; her retransmissions do not).
  let forged = 0;
  links[2]!.outbound = (m) => {
    const f = readFrame(m);
    if (f?.type === MsgType.MSG && forged === 0 && m.messageType.case === 'publish') {
      forged++;
      m.messageType.value.header!.source = toProtoName(bob!.name); // the tap hands us a copy
    }
    return m;
  };
  const it = reader(sb);
  await sc.publish(Buffer.from('from carol'));
  const got = await next(it);
  assert.equal(forged, 1);
  assert.equal(Buffer.from(got.payload).toString(), 'from carol');
  assert.equal(
    formatName(got.source),
    formatName(carol!.name),
    "delivered only as carol's, when she resent it",
  );
  assert.equal(got.identity, 'org/ns/carol');
});
