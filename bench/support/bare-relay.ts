// A relay with no SLIM logic, for bench/relay-floor.bench.ts: the floor under our node's CPU per
// forwarded frame. It serves the node's gRPC method on 127.0.0.1 (port 0), pairs the first two
// OpenChannel streams and copies every length-prefixed message from one to the other; nothing is
// parsed beyond the gRPC length prefix. Both variants write as our node does (grpc-batch-writer.ts:
// the messages of one event-loop turn in one write); they differ only in how frames are read:
//   node-http2  node:http2's server, the prefix parsed by hand;
//   grpc-js     @grpc/grpc-js's server (our node's transport), one 'data' event per message.
// Usage: node bare-relay.js node-http2|grpc-js. Prints {"port":N} once listening; SIGTERM stops it.
import { createServer } from 'node:http2';
import type { ServerHttp2Stream } from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { dataPlaneService } from '../../src/slim/dataplane/grpc-transport.js';
import {
  GRPC_PREFIX_BYTES,
  GrpcBatchWriter,
  serverCallStream,
} from '../../src/slim/dataplane/grpc-batch-writer.js';
import type { RawStream } from '../../src/slim/dataplane/grpc-batch-writer.js';
import { FLOW_CONTROL_WINDOW_BYTES } from '../../src/slim/dataplane/grpc-transport.js';

const variant = process.argv[2];
const writers: GrpcBatchWriter[] = [];

/** The writer of stream `i`'s partner (streams pair up in arrival order: 0-1, 2-3, ...). */
const partner = (i: number): GrpcBatchWriter | undefined => writers[i ^ 1];

function writerFor(stream: RawStream): number {
  const failed = (err: Error) => console.error(`relay: write failed: ${err.message}`);
  writers.push(new GrpcBatchWriter(stream, () => {}, failed));
  return writers.length - 1;
}

function ready(port: number): void {
  process.stdout.write(`${JSON.stringify({ port })}\n`);
}

function nodeHttp2(): void {
  const server = createServer({ settings: { initialWindowSize: FLOW_CONTROL_WINDOW_BYTES } });
  server.on('session', (session) => {
    session.on('connect', () => session.setLocalWindowSize(FLOW_CONTROL_WINDOW_BYTES));
    session.on('error', () => {});
  });
  server.on('stream', (stream: ServerHttp2Stream) => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
    const index = writerFor(stream);
    let pending: Buffer | undefined;
    stream.on('error', () => {});
    stream.on('data', (chunk: Buffer) => {
      let buf = pending ? Buffer.concat([pending, chunk]) : chunk;
      let p = 0;
      while (buf.length - p >= GRPC_PREFIX_BYTES) {
        const len = buf.readUInt32BE(p + 1);
        if (buf.length - p < GRPC_PREFIX_BYTES + len) break;
        partner(index)?.write(buf.subarray(p + GRPC_PREFIX_BYTES, p + GRPC_PREFIX_BYTES + len));
        p += GRPC_PREFIX_BYTES + len;
      }
      buf = buf.subarray(p);
      pending = buf.length > 0 ? buf : undefined;
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    ready(typeof addr === 'object' && addr ? addr.port : 0);
  });
}

function grpcJs(): void {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': -1 });
  server.addService(dataPlaneService, {
    OpenChannel: (call: grpc.ServerDuplexStream<Buffer, Uint8Array>) => {
      call.sendMetadata(new grpc.Metadata());
      const raw = serverCallStream(call);
      if (!raw) throw new Error('grpc-js hides its HTTP/2 stream: cannot write as the node does');
      const index = writerFor(raw);
      call.on('error', () => {});
      call.on('data', (msg: Buffer) => partner(index)?.write(msg));
    },
  });
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) throw err;
    ready(port);
  });
}

process.on('SIGTERM', () => process.exit(0));
if (variant === 'node-http2') nodeHttp2();
else if (variant === 'grpc-js') grpcJs();
else {
  console.error('usage: bare-relay.js node-http2|grpc-js');
  process.exit(2);
}
