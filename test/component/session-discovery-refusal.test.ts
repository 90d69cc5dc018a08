// A discovery whose identity the asked app does not accept is answered with a signed refusal
// (GROUP_NACK, JOIN_REFUSED = the reason class), on our node with in-process links, tapped:
// - JWT, alice's signer not trusted by bob (bob's trusted by alice): alice's discovery fails at
//   once with bob's reason, without a single retransmission, and bob logs whom he refused;
// - shared secrets that differ: bob refuses, but alice cannot verify his refusal (the mismatch is
//   mutual), so she keeps retrying as before and her final error says a refusal came she could not
//   verify;
// - forged refusals (unsigned; signed under a secret alice does not hold; signed by a trusted app
//   that is not the one asked) do not end a discovery, which then succeeds;
// - a flood of untrusted discovery requests gets at most the refusal budget back;
// - an invitation (JOIN_REQUEST) from an identity bob does not accept is refused the same way,
//   within the same budget, and creates no session.
// Ordering without timing: the taps record a frame before the app acts on it, and an app decides
// on each frame in arrival order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedSecretIdentity } from '../../src/slim/auth/index.js';
import type { Link } from '../../src/slim/dataplane/link.js';
import { baseName, nameIdFromTokenId, parseName, withId } from '../../src/slim/dataplane/name.js';
import type { SlimName } from '../../src/slim/dataplane/name.js';
import { SlimNode } from '../../src/slim/node/index.js';
import { decodeMessage } from '../../src/slim/proto/index.js';
import type { Message } from '../../src/slim/proto/index.js';
import { META_JOIN_REFUSED, REFUSAL_BURST, REFUSAL_SOURCE_BURST } from '../../src/slim/session/constants.js';
import { DiscoveryRefusedError, NoReplyError } from '../../src/slim/session/errors.js';
import { MsgType, SessionType, commandFrame, readFrame } from '../../src/slim/session/frames.js';
import type { Inbound } from '../../src/slim/session/frames.js';
import { createSlimApp } from '../../src/slim/session/index.js';
import type { SessionClock, SlimApp } from '../../src/slim/session/index.js';
import { sealFrame } from '../../src/slim/session/secure.js';
import { captureLogs } from '../support/log-capture.js';
import type { CapturedLogs } from '../support/log-capture.js';
import { FakeClock } from '../support/fake-clock.js';
import { jwtWorld, ourJwtApp } from '../support/reference-jwt.js';
import { SECRET, makeApp, nextIncoming, take } from '../support/session-apps.js';
import { TapLink } from '../support/tap-link.js';
import { until } from '../support/until.js';

const T = { timeout: 120_000 };
const OTHER_SECRET = 'another-long-shared-secret-fedcba9876543210';

function frames(bytes: Uint8Array[], type: MsgType): Inbound[] {
  return bytes.map((b) => readFrame(decodeMessage(b))).filter((f): f is Inbound => f?.type === type);
}

/** Bob: a shared-secret app whose logs are kept. */
async function bobApp(link: Link, logs: CapturedLogs, secret = SECRET, clock?: SessionClock) {
  const identity = new SharedSecretIdentity({
    baseName: 'org/ns/bob',
    secret,
    ...(clock ? { clock: () => clock.now() } : {}),
  });
  return createSlimApp({ name: parseName('org/ns/bob'), link, identity, logger: logs.logger, clock });
}

test('an untrusted JWT signer learns at once that the peer refused its identity', T, async (t) => {
  const world = await jwtWorld(['acme/bob']);
  const node = await SlimNode.create();
  const aliceLink = new TapLink(node.connectInProcess());
  const bobLink = new TapLink(node.connectInProcess());
  const logs = captureLogs('info');
  // Alice signs with a key bob does not trust; she trusts bob's key (the world's JWKS).
  const alice = await ourJwtApp('org/ns/alice', aliceLink, world, world.untrusted);
  const bob = await ourJwtApp('org/ns/bob', bobLink, world, world.parties.get('acme/bob')!, {
    logger: logs.logger,
  });
  t.after(async () => {
    await Promise.all([alice.close(), bob.close()]);
    await node.close();
    world.close();
  });
  // Budgets far beyond the test's limit: only the refusal can end the discovery in time.
  await assert.rejects(
    alice.createSession(parseName('org/ns/bob'), {
      kind: 'p2p',
      mls: false,
      maxRetries: 1000,
      setupTimeoutMs: 600_000,
    }),
    (e: unknown) => {
      assert.ok(e instanceof DiscoveryRefusedError, String(e));
      assert.equal(e.code, 'AUTH');
      assert.equal(e.peer, 'org/ns/bob');
      assert.equal(e.reason, 'identity not accepted');
      assert.match(
        e.message,
        /^discovery: org\/ns\/bob does not accept our identity \(identity not accepted\)/,
      );
      return true;
    },
  );
  assert.equal(frames(aliceLink.toNode, MsgType.DISCOVERY_REQUEST).length, 1, 'no retransmission');
  const nacks = frames(bobLink.toNode, MsgType.GROUP_NACK);
  assert.equal(nacks.length, 1);
  assert.equal(nacks[0]!.metadata[META_JOIN_REFUSED], 'identity not accepted');
  assert.ok(nacks[0]!.publish.header?.e2eHeaderSig?.length, 'the refusal is signed');
  // Bob's verifier says whose token it refused and why; never the token.
  const refused = await logs.waitFor(/^peer identity refused/);
  assert.equal(refused['claimedSubject'], 'acme/untrusted');
  assert.ok(!JSON.stringify(logs.records).includes('eyJ'), 'no token in the log');
});

test('a refusal that cannot be verified (shared secrets differ) is reported, not acted on', T, async (t) => {
  const node = await SlimNode.create();
  const aliceLink = new TapLink(node.connectInProcess());
  const bobLink = new TapLink(node.connectInProcess());
  const logs = captureLogs('info');
  const alice = await makeApp({ name: 'org/ns/alice', link: aliceLink });
  const bob = await bobApp(bobLink, logs, OTHER_SECRET);
  t.after(async () => {
    await Promise.all([alice.close(), bob.close()]);
    await node.close();
  });
  // Short retries: the discovery must run out of them, not end at the first refusal.
  await assert.rejects(
    alice.createSession(parseName('org/ns/bob'), {
      kind: 'p2p',
      mls: false,
      intervalMs: 100,
      maxRetries: 3,
      setupTimeoutMs: 600_000,
    }),
    (e: unknown) => {
      assert.ok(e instanceof NoReplyError, String(e));
      assert.equal(e.unverifiedRefusal, true);
      assert.match(e.message, /discovery: no reply from org\/ns\/bob/);
      assert.match(e.message, /a refusal came back that we could not verify/);
      assert.match(e.message, /does not accept our identity/);
      return true;
    },
  );
  assert.equal(frames(aliceLink.toNode, MsgType.DISCOVERY_REQUEST).length, 4, 'every retry was sent');
  const nacks = frames(bobLink.toNode, MsgType.GROUP_NACK);
  assert.ok(nacks.length >= 1 && nacks.length <= REFUSAL_SOURCE_BURST + 1, `${nacks.length} refusals`);
  assert.equal(nacks[0]!.metadata[META_JOIN_REFUSED], 'identity not accepted');
  const refused = await logs.waitFor(/^discovery refused/);
  assert.equal(refused['from'], 'org/ns/alice');
  assert.ok(!JSON.stringify(logs.records).includes(SECRET), 'no secret in the log');
});

test('forged refusals do not end a discovery, which then succeeds', T, async (t) => {
  const node = await SlimNode.create();
  const aliceLink = new TapLink(node.connectInProcess());
  const alice = await makeApp({ name: 'org/ns/alice', link: aliceLink });
  // Mallory answers in bob's place while bob is not there yet: she holds bob's name on the node.
  const malloryLink = node.connectInProcess();
  const bobName = parseName('org/ns/bob');
  const strangerAsBob = new SharedSecretIdentity({ baseName: 'org/ns/bob', secret: OTHER_SECRET });
  const carol = new SharedSecretIdentity({ baseName: 'org/ns/carol', secret: SECRET }); // trusted, not asked
  const seen: Inbound[] = [];
  malloryLink.onmessage = (m) => {
    const f = readFrame(m);
    if (f?.type === MsgType.DISCOVERY_REQUEST) seen.push(f);
  };
  await malloryLink.start();
  const mallorySource = withId(bobName, 7n);
  await malloryLink.subscribe(bobName, { source: mallorySource, identity: strangerAsBob.token() });
  let bob: SlimApp | undefined = undefined;
  t.after(async () => {
    await Promise.all([alice.close(), bob?.close(), malloryLink.close()]);
    await node.close();
  });
  const created = alice.createSession(bobName, {
    kind: 'p2p',
    mls: false,
    intervalMs: 200,
    maxRetries: 100,
    setupTimeoutMs: 600_000,
  });
  await until(() => seen.length > 0, 'the discovery at mallory');
  const req = seen[0]!;
  const refusal = (source: SlimName): Message =>
    commandFrame(
      {
        source,
        destination: req.source,
        sessionType: SessionType.POINT_TO_POINT,
        sessionId: req.sessionId,
        metadata: { [META_JOIN_REFUSED]: 'identity not accepted' },
      },
      MsgType.GROUP_NACK,
      req.messageId,
      { case: 'groupNack', value: {} },
    );
  const unsigned = refusal(withId(bobName, 1n));
  const untrusted = refusal(withId(bobName, nameIdFromTokenId(strangerAsBob.tokenId)));
  await sealFrame(untrusted, strangerAsBob, undefined);
  const fromCarol = refusal(withId(parseName('org/ns/carol'), nameIdFromTokenId(carol.tokenId)));
  await sealFrame(fromCarol, carol, undefined);
  for (const f of [unsigned, untrusted, fromCarol]) await malloryLink.publish(f);
  const delivered = () => frames(aliceLink.fromNode, MsgType.GROUP_NACK).length;
  await until(() => delivered() === 3, 'the forged refusals at alice');
  // Mallory leaves; the real bob arrives and answers alice's next retry.
  await malloryLink.unsubscribe(bobName, { source: mallorySource });
  bob = await makeApp({ name: 'org/ns/bob', link: node.connectInProcess() });
  const incoming = nextIncoming(bob);
  const session = await created;
  const sb = await incoming;
  await session.publish(Buffer.from('made it'));
  assert.deepEqual(await take(sb.messages()[Symbol.asyncIterator](), 1), ['made it']);
});

test('a flood of untrusted discoveries gets at most the refusal budget back', T, async (t) => {
  const node = await SlimNode.create();
  const bobLink = new TapLink(node.connectInProcess());
  const logs = captureLogs('info');
  // Bob's clock stands still: the buckets never refill, so the budget is exactly the bursts.
  const clock = new FakeClock();
  const bob = await bobApp(bobLink, logs, SECRET, clock);
  const floodLink = node.connectInProcess();
  await floodLink.start();
  t.after(async () => {
    await Promise.all([bob.close(), floodLink.close()]);
    await node.close();
  });
  const bobName = parseName('org/ns/bob');
  const discovery = async (identity: SharedSecretIdentity, id: number): Promise<void> => {
    const app = identity.tokenId.slice(0, identity.tokenId.lastIndexOf('_'));
    const source = withId(parseName(app), nameIdFromTokenId(identity.tokenId));
    const f = commandFrame(
      { source, destination: bobName, sessionType: SessionType.POINT_TO_POINT, sessionId: id },
      MsgType.DISCOVERY_REQUEST,
      id,
      { case: 'discoveryRequest', value: {} },
    );
    await sealFrame(f, identity, undefined);
    await floodLink.publish(f);
  };
  // 30 requests in one name, then one from each of 40 other names, none trusted.
  const one = new SharedSecretIdentity({ baseName: 'org/ns/flood', secret: OTHER_SECRET });
  for (let i = 1; i <= 30; i++) await discovery(one, i);
  for (let i = 0; i < 40; i++)
    await discovery(new SharedSecretIdentity({ baseName: `org/ns/f${i}`, secret: OTHER_SECRET }), 100 + i);
  // A trusted request last: once bob has answered it, he has decided on every earlier one.
  await discovery(new SharedSecretIdentity({ baseName: 'org/ns/friend', secret: SECRET }), 1000);
  await until(() => frames(bobLink.toNode, MsgType.DISCOVERY_REPLY).length === 1, 'the trusted reply');
  const nacks = frames(bobLink.toNode, MsgType.GROUP_NACK);
  assert.equal(nacks.length, REFUSAL_BURST, 'the total budget');
  assert.equal(
    nacks.filter((n) => baseName(n.destination) === 'org/ns/flood').length,
    REFUSAL_SOURCE_BURST,
    'the budget of one source name',
  );
  const logged = logs.records.filter((r) => String(r['msg']).startsWith('discovery refused'));
  assert.equal(logged.length, REFUSAL_BURST, 'one log line per refusal sent');
});

test(
  'an invitation from an identity the invitee does not accept is refused at once, in the budget',
  T,
  async (t) => {
    const node = await SlimNode.create();
    const bobLink = new TapLink(node.connectInProcess());
    const logs = captureLogs('info');
    const clock = new FakeClock();
    const bob = await bobApp(bobLink, logs, SECRET, clock);
    const inviterLink = node.connectInProcess();
    await inviterLink.start();
    t.after(async () => {
      await Promise.all([bob.close(), inviterLink.close()]);
      await node.close();
    });
    const stranger = new SharedSecretIdentity({ baseName: 'org/ns/stranger', secret: OTHER_SECRET });
    const source = withId(parseName('org/ns/stranger'), nameIdFromTokenId(stranger.tokenId));
    const invite = async (id: number): Promise<void> => {
      const f = commandFrame(
        { source, destination: bob.name, sessionType: SessionType.POINT_TO_POINT, sessionId: id },
        MsgType.JOIN_REQUEST,
        id,
        { case: 'joinRequest', value: {} },
      );
      await sealFrame(f, stranger, undefined);
      await inviterLink.publish(f);
    };
    for (let i = 1; i <= REFUSAL_SOURCE_BURST + 2; i++) await invite(i);
    await until(
      () => logs.records.filter((r) => String(r['msg']).startsWith('invitation refused')).length >= 1,
      'the refusal at bob',
    );
    // A trusted discovery last: once bob has answered it, he has decided on every invitation.
    const friend = new SharedSecretIdentity({ baseName: 'org/ns/friend', secret: SECRET });
    const probe = commandFrame(
      {
        source: withId(parseName('org/ns/friend'), nameIdFromTokenId(friend.tokenId)),
        destination: parseName('org/ns/bob'),
        sessionType: SessionType.POINT_TO_POINT,
        sessionId: 999,
      },
      MsgType.DISCOVERY_REQUEST,
      999,
      { case: 'discoveryRequest', value: {} },
    );
    await sealFrame(probe, friend, undefined);
    await inviterLink.publish(probe);
    await until(() => frames(bobLink.toNode, MsgType.DISCOVERY_REPLY).length === 1, 'the trusted reply');
    const nacks = frames(bobLink.toNode, MsgType.GROUP_NACK);
    assert.equal(nacks.length, REFUSAL_SOURCE_BURST, 'the budget of one source name');
    for (const n of nacks) {
      assert.equal(n.metadata[META_JOIN_REFUSED], 'identity not accepted');
      assert.equal(baseName(n.destination), 'org/ns/stranger');
      assert.ok(n.publish.header?.e2eHeaderSig?.length, 'the refusal is signed');
    }
    assert.equal(frames(bobLink.toNode, MsgType.JOIN_REPLY).length, 0, 'no session was started');
  },
);
