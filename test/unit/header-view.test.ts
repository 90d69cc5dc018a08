// Unit: the node's light SLIMHeader decoder reads every captured header exactly as the codec does
// (same routing fields, same MAC preimage), and hands anything unusual (repeated fields, wrong
// wire types, invalid UTF-8, truncation) to the full decoder instead of guessing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage } from '../../src/slim/proto/index.js';
import { headerMacBody } from '../../src/slim/dataplane/header-mac.js';
import { readHeaderView } from '../../src/slim/node/header-view.js';
import { PublishFrame, decodeInbound } from '../../src/slim/node/publish-frame.js';
import { publishLayout } from '../../src/slim/node/wire-splice.js';
import { makeName } from '../../src/slim/dataplane/name.js';
import { loadAllFrames } from '../support/vectors.js';
import { publishFrame } from '../support/dataplane.js';

test('every captured Publish header reads the same as with the codec', () => {
  let n = 0;
  for (const f of loadAllFrames()) {
    const msg = decodeMessage(f.bytes);
    if (msg.messageType.case !== 'publish' || !msg.messageType.value.header) continue;
    const h = msg.messageType.value.header;
    const bytes = Buffer.from(f.bytes);
    const layout = publishLayout(bytes)!;
    const view = readHeaderView(bytes, layout.headerStart, layout.headerEnd);
    assert.ok(view, `${f.file}#${f.index}`);
    assert.equal(headerMacBody(view).toString('hex'), headerMacBody(h).toString('hex'));
    assert.equal(view.ttl, h.ttl);
    assert.equal(view.fanout, h.fanout);
    assert.equal(view.incomingConn, h.incomingConn);
    assert.deepEqual(view.headerMac && Buffer.from(view.headerMac), h.headerMac && Buffer.from(h.headerMac));
    assert.deepEqual(view.destination?.name?.nameId?.id1, h.destination?.name?.nameId?.id1);
    const frame = PublishFrame.fromBytes(bytes);
    assert.ok(frame, 'fast path taken');
    assert.equal(frame.hasSessionHeader, msg.messageType.value.session !== undefined);
    n++;
  }
  assert.ok(n > 200);
});

const a = makeName('org', 'ns', 'a', 1n);
const b = makeName('org', 'ns', 'b', 2n);

function framed(mutate: (bytes: number[]) => number[]): Buffer {
  return Buffer.from(mutate([...encodeMessage(publishFrame(a, b, 'x'))]));
}

test('unusual encodings leave the fast path, and the full decoder still gets the right answer', () => {
  const base = Buffer.from(encodeMessage(publishFrame(a, b, 'x')));
  assert.ok(PublishFrame.fromBytes(base));
  const layout = publishLayout(base)!;
  // Repeat the header's fanout field (tag 0x20): valid protobuf, last value wins.
  const repeated = framed((bytes) => {
    const hdr = bytes.slice(layout.headerStart, layout.headerEnd).concat([0x20, 0x05]);
    const pub = [0x0a, hdr.length, ...hdr, ...bytes.slice(layout.headerEnd, bytes.length)];
    return [0x1a, ...varint(pub.length), ...pub];
  });
  assert.equal(PublishFrame.fromBytes(repeated), undefined);
  const inbound = decodeInbound(repeated);
  assert.equal(inbound.kind, 'publish');
  assert.equal(inbound.kind === 'publish' && inbound.frame.header.fanout, 5);
  // Invalid UTF-8 in the identity: the codec refuses the frame.
  const h = publishFrame(a, b, 'x');
  if (h.messageType.case === 'publish') h.messageType.value.header!.identity = 'ID';
  const bad = Buffer.from(encodeMessage(h));
  const at = bad.indexOf(Buffer.from('ID'));
  bad[at] = 0xff;
  bad[at + 1] = 0xfe;
  assert.equal(PublishFrame.fromBytes(bad), undefined);
  assert.throws(() => decodeInbound(bad));
  // Truncated frames throw.
  assert.throws(() => decodeInbound(base.subarray(0, base.length - 3)));
});

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}
