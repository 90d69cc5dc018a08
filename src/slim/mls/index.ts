// The MLS layer (docs/sessions-mls.md#mls-profile): ts-mls with SLIM's profile, credential checks
// and a native crypto provider. The only module outside src/slim/mls that may name ts-mls types is
// none: the session layer sees the interfaces of ./types.js and these functions.
export { createMlsClient } from './client.js';
export type { MlsClientOptions } from './client.js';
export type { CryptoKind } from './crypto/index.js';
export { checkKeyPackage, inspectMlsMessage } from './inspect.js';
export type { MlsMessageInfo, MlsMessageKind } from './inspect.js';
export type {
  MlsAddResult,
  MlsClient,
  MlsCommitResult,
  MlsDecrypted,
  MlsGroup,
  PendingJoin,
} from './types.js';
