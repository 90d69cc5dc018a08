// Component: goodbyes are bounded (about a second) yet survive one lost frame. Closing sends the
// goodbye again half-way through its time, so a peer whose first copy was lost still hears it
// and ends its side at once, instead of waiting for the heartbeats to run out (30 s here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseName } from '../../src/slim/dataplane/name.js';
import { MsgType, readFrame } from '../../src/slim/session/frames.js';
import { MemoryFabric } from '../support/memory-fabric.js';
import { makeApp, nextIncoming, withTimeout } from '../support/session-apps.js';

for (const closer of ['moderator', 'participant'] as const) {
  test(`the ${closer}'s goodbye reaches the peer when its first copy is lost`, async (t) => {
    const fabric = new MemoryFabric();
    const a = await makeApp({ name: 'org/ns/gb-a', link: fabric.link('a') });
    const b = await makeApp({ name: 'org/ns/gb-b', link: fabric.link('b') });
    t.after(() => Promise.all([a.close(), b.close()]));
    const incoming = nextIncoming(b);
    const sa = await a.createSession(parseName('org/ns/gb-b'), { kind: 'p2p', mls: false });
    const sb = await incoming;
    const goodbye = closer === 'moderator' ? MsgType.GROUP_CLOSE : MsgType.LEAVE_REQUEST;
    let dropped = 0;
    fabric.intercept = (m) => (readFrame(m)?.type === goodbye && dropped++ === 0 ? null : m);
    const [closing, peer] = closer === 'moderator' ? [sa, sb] : [sb, sa];
    await closing.close();
    assert.equal(dropped >= 1, true, 'the first copy was dropped');
    const info = await withTimeout(peer.closed(), 15_000, 'the peer to hear the goodbye');
    assert.equal(info.reason, 'remote');
  });
}
