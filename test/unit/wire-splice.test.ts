// Unit: the node's hot-path rewrite of a forwarded Publish (only the header's routing fields
// change). On every captured Publish frame, splicing in the frame's own header reproduces the
// captured bytes exactly, and splicing in a next-hop header gives exactly what a full re-encode
// gives. Metadata and unknown fields pass through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage, newMessage } from '../../src/slim/proto/index.js';
import type { Message, SLIMHeader } from '../../src/slim/proto/index.js';
import { publishLayout, spliceHeader } from '../../src/slim/node/wire-splice.js';
import { loadAllFrames } from '../support/vectors.js';
import { makeName } from '../../src/slim/dataplane/name.js';
import { publishFrame } from '../support/dataplane.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function withHeader(msg: Message, header: SLIMHeader): Message {
  if (msg.messageType.case !== 'publish') throw new Error('not a publish');
  return { ...msg, messageType: { case: 'publish', value: { ...msg.messageType.value, header } } };
}

test('every captured Publish: own header reproduces the bytes; a next-hop header equals a full re-encode', () => {
  let n = 0;
  for (const f of loadAllFrames()) {
    const msg = decodeMessage(f.bytes);
    if (msg.messageType.case !== 'publish' || !msg.messageType.value.header) continue;
    const layout = publishLayout(f.bytes);
    assert.ok(layout, `${f.file}#${f.index} has a layout`);
    const h = msg.messageType.value.header;
    assert.equal(hex(spliceHeader(layout, h)), hex(f.bytes), `${f.file}#${f.index} identity`);
    const next: SLIMHeader = {
      ...h,
      ttl: Math.max(1, h.ttl - 1),
      incomingConn: 300n + BigInt(n),
      headerMac: new Uint8Array(32).fill(n & 0xff),
      recvFrom: undefined,
      forwardTo: undefined,
    };
    assert.equal(
      hex(spliceHeader(layout, next)),
      hex(encodeMessage(withHeader(msg, next))),
      `${f.file}#${f.index} next hop`,
    );
    n++;
  }
  assert.ok(n > 200, `expected the captured publishes, got ${n}`);
});

test('metadata, absent fields and large values survive the splice', () => {
  const a = makeName('org', 'ns', 'a', 1n);
  const msg = publishFrame(a, makeName('org', 'ns', 'b'), 'payload');
  msg.metadata = { PUBLISH_TO: 'TRUE', traceparent: '00-abc' };
  const bytes = encodeMessage(msg);
  const layout = publishLayout(bytes)!;
  const h = (msg.messageType.value as { header: SLIMHeader }).header;
  for (const next of [
    { ...h, ttl: 0, incomingConn: undefined, headerMac: undefined },
    {
      ...h,
      ttl: 7,
      incomingConn: (1n << 64n) - 1n,
      recvFrom: 1n << 40n,
      forwardTo: 5n,
      headerMac: new Uint8Array(200),
    },
  ] as SLIMHeader[]) {
    const out = spliceHeader(layout, next);
    assert.equal(hex(out), hex(encodeMessage(withHeader(msg, next))));
    assert.deepEqual(decodeMessage(out).metadata, msg.metadata);
  }
});

test('frames that are not a single publish with a header have no layout', () => {
  const sub = newMessage({
    messageType: { case: 'subscriptionAck', value: { subscriptionId: 1n, success: true } },
  });
  assert.equal(publishLayout(encodeMessage(sub)), undefined);
  const noHeader = newMessage({ messageType: { case: 'publish', value: { session: { sessionId: 1 } } } });
  assert.equal(publishLayout(encodeMessage(noHeader)), undefined);
  assert.throws(() => publishLayout(new Uint8Array([0x1a, 0x05, 0x0a])), RangeError);
});
