// The SLIM data plane: names, the Link seam, and the gRPC client link to a node.
export * from './name.js';
export type { Link, LinkState, SubscribeOptions } from './link.js';
export { GrpcLink } from './grpc-link.js';
export type { GrpcLinkOptions } from './grpc-link.js';
export type { LinkTlsOptions } from './grpc-transport.js';
export { parseEndpoint } from './grpc-transport.js';
export { HeaderMac, headerMacPreimage } from './header-mac.js';
export { SLIM_VERSION, DEFAULT_TTL, DEFAULT_MAX_FRAME_BYTES, OPEN_CHANNEL_PATH } from './wire.js';
export { AUTHORIZATION_HEADER } from './link-auth.js';
export type { LinkAuthenticator, LinkAuthResult, LinkCredentials } from './link-auth.js';
export { BasicAuthenticator, basicAuthorization, basicCredentials } from './basic-auth.js';
export type { BasicUser } from './basic-auth.js';
export { BearerFileCredentials } from './bearer-file.js';
export { BearerAuthenticator, bearerCredentials, MAX_BEARER_TOKEN_LENGTH } from './bearer-auth.js';
