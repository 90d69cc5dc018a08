// Raw grpc-js peers for tests: a client that sends arbitrary bytes on OpenChannel (to feed the
// node garbage) and a scripted server (to play a node that refuses, stalls or misbehaves).
import * as grpc from '@grpc/grpc-js';
import {
  dataPlaneService,
  deserializeFrame,
  serializeFrame,
} from '../../src/slim/dataplane/grpc-transport.js';
import { OPEN_CHANNEL_PATH } from '../../src/slim/dataplane/wire.js';

export type RawServerCall = grpc.ServerDuplexStream<Buffer, Uint8Array>;

/** A gRPC server on 127.0.0.1:0 whose OpenChannel handler is `handler`. */
export async function rawServer(
  handler: (call: RawServerCall) => void,
): Promise<{ port: number; close: () => void }> {
  const server = new grpc.Server();
  server.addService(dataPlaneService, { OpenChannel: handler });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  return { port, close: () => server.forceShutdown() };
}

/** A raw OpenChannel stream: write any bytes, see what comes back and how the stream ends. */
export class RawClient {
  readonly received: Buffer[] = [];
  readonly ended: Promise<{ code: number; details: string }>;
  private readonly client: grpc.Client;
  readonly call: grpc.ClientDuplexStream<Uint8Array, Buffer>;

  constructor(port: number, options: grpc.ChannelOptions = {}) {
    this.client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      'grpc.use_local_subchannel_pool': 1,
      ...options,
    });
    this.call = this.client.makeBidiStreamRequest(
      OPEN_CHANNEL_PATH,
      serializeFrame,
      deserializeFrame,
      new grpc.Metadata(),
      {},
    );
    this.call.on('data', (b: Buffer) => this.received.push(b));
    this.ended = new Promise((resolve) => {
      this.call.on('status', (s: grpc.StatusObject) => resolve({ code: s.code, details: s.details }));
    });
    this.call.on('error', () => {});
  }

  write(bytes: Uint8Array): void {
    this.call.write(bytes);
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }
}
