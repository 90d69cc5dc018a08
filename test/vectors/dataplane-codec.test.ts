// Vectors: every captured frame (reference peers, our harness clients) decodes with our codec and
// re-encodes to exactly the captured bytes. Provenance: test/fixtures/vectors/slim-v2/README.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage } from '../../src/slim/proto/index.js';
import { loadAllFrames } from '../support/vectors.js';

test('every captured frame decodes and re-encodes byte for byte', () => {
  const frames = loadAllFrames();
  assert.ok(frames.length > 500, `expected the full capture set, got ${frames.length} frames`);
  const kinds = new Map<string, number>();
  for (const f of frames) {
    const msg = decodeMessage(f.bytes);
    const kind = msg.messageType.case ?? 'none';
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    const again = encodeMessage(msg);
    assert.equal(
      Buffer.from(again).toString('hex'),
      Buffer.from(f.bytes).toString('hex'),
      `${f.file}#${f.index}`,
    );
  }
  for (const kind of ['link', 'subscribe', 'publish', 'subscriptionAck']) {
    assert.ok((kinds.get(kind) ?? 0) > 0, `captures contain ${kind} frames`);
  }
});
