// Public surface of SLIMRPC: the interfaces adapters program against (types.ts), status codes,
// the SLIM-backed channel, multicast channel and server (the in-memory network for tests is in
// test/support/memory-rpc.ts).
export type {
  CallOptions,
  RpcClient,
  MulticastClient,
  MulticastItem,
  RpcContext,
  RpcServer,
  ServiceDefinition,
  MethodHandler,
  UnaryHandler,
  ServerStreamHandler,
  ClientStreamHandler,
  BidiStreamHandler,
} from './types.js';
export { RpcError, StatusCode, statusName, toRpcError } from './status.js';
// SLIM names: the targets of channels and the members of groups.
export { baseName, formatName, parseName, sameComponents } from '../dataplane/name.js';
export type { SlimName } from '../dataplane/name.js';
export { createChannel } from './channel.js';
export { createMulticastChannel } from './multicast.js';
export type { MulticastOptions } from './multicast.js';
export { createRpcServer, requireMls } from './server.js';
export type { RpcServerOptions, SlimRpcServer } from './server.js';
export type { ChannelOptions } from './options.js';
export { DEFAULT_TIMEOUT_MS } from './frames.js';
export { protobufCodec, typed, typedClient } from './codec.js';
export type { Codec, TypedHandler } from './codec.js';
