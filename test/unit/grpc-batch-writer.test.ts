// Unit: the batched gRPC writer on a recording stream. Frames of one event-loop turn leave in one
// write, each with the gRPC length prefix grpc-js would give it, in write order; backpressure is
// counted until the stream takes a batch; a failed write is reported once and stops the writer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { GrpcBatchWriter } from '../../src/slim/dataplane/grpc-batch-writer.js';
import type { RawStream } from '../../src/slim/dataplane/grpc-batch-writer.js';

class RecordingStream implements RawStream {
  readonly chunks: Buffer[] = [];
  readonly callbacks: ((err?: Error | null) => void)[] = [];
  destroyed = false;
  write(chunk: Uint8Array, cb: (err?: Error | null) => void): boolean {
    this.chunks.push(Buffer.from(chunk));
    this.callbacks.push(cb);
    return true;
  }
}

/** gRPC's own framing of one message: flag 0, 32-bit big-endian length, the bytes. */
function grpcFrame(msg: Buffer): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(msg.length, 1);
  return Buffer.concat([prefix, msg]);
}

function setup() {
  const stream = new RecordingStream();
  const written: number[] = [];
  const errors: Error[] = [];
  const writer = new GrpcBatchWriter(
    stream,
    (unsent) => written.push(unsent),
    (err) => errors.push(err),
  );
  return { stream, writer, written, errors };
}

test('frames written in one turn leave in one write, framed as gRPC messages, in order', async () => {
  const { stream, writer } = setup();
  const msgs = [Buffer.from('first'), Buffer.alloc(0), Buffer.alloc(70_000, 7), Buffer.from('last')];
  for (const m of msgs) writer.write(m);
  assert.equal(stream.chunks.length, 0, 'nothing is written before the turn ends');
  await nextTurn();
  assert.equal(stream.chunks.length, 1);
  assert.deepEqual(stream.chunks[0], Buffer.concat(msgs.map(grpcFrame)));

  writer.write(Buffer.from('next turn'));
  await nextTurn();
  assert.equal(stream.chunks.length, 2);
  assert.deepEqual(stream.chunks[1], grpcFrame(Buffer.from('next turn')));
});

test('frames from separate callbacks of one turn share a write; a microtask does not split them', async () => {
  const { stream, writer } = setup();
  await new Promise<void>((resolve) => {
    setImmediate(() => {
      writer.write(Buffer.from('a'));
      void Promise.resolve().then(() => writer.write(Buffer.from('b')));
    });
    setImmediate(() => {
      writer.write(Buffer.from('c'));
      resolve();
    });
  });
  await nextTurn();
  assert.deepEqual(stream.chunks, [Buffer.concat(['a', 'b', 'c'].map((s) => grpcFrame(Buffer.from(s))))]);
});

test('unsent frames count until the stream takes their batch', async () => {
  const { stream, writer, written } = setup();
  assert.equal(writer.write(Buffer.from('1')), 1);
  assert.equal(writer.write(Buffer.from('2')), 2);
  await nextTurn();
  assert.equal(writer.unsent, 2, 'handed to the stream, not yet taken');
  assert.equal(writer.write(Buffer.from('3')), 3);
  await nextTurn();
  assert.equal(stream.chunks.length, 2);
  stream.callbacks[0]!();
  assert.deepEqual(written, [1]);
  stream.callbacks[1]!();
  assert.deepEqual(written, [1, 0]);
  assert.equal(writer.unsent, 0);
});

test('flush() writes at once; discard() drops what is queued and ignores later writes', async () => {
  const { stream, writer } = setup();
  writer.write(Buffer.from('now'));
  writer.flush();
  assert.deepEqual(stream.chunks, [grpcFrame(Buffer.from('now'))]);
  writer.write(Buffer.from('dropped'));
  writer.discard();
  assert.equal(writer.write(Buffer.from('ignored')), 0);
  await nextTurn();
  assert.equal(stream.chunks.length, 1);
});

test('a failed write is reported once; the writer stops', async () => {
  const { stream, writer, errors } = setup();
  writer.write(Buffer.from('x'));
  await nextTurn();
  stream.callbacks[0]!(new Error('stream reset'));
  writer.write(Buffer.from('y'));
  await nextTurn();
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.message, 'stream reset');
  assert.equal(stream.chunks.length, 1);

  const gone = setup();
  gone.stream.destroyed = true;
  gone.writer.write(Buffer.from('z'));
  await nextTurn();
  assert.equal(gone.stream.chunks.length, 0);
  assert.equal(gone.errors.length, 1, 'a destroyed stream fails the batch instead of taking it');
});
