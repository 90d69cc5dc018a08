// grpc-js writes its own errors to the console (`E No address added ...`, before our own message
// about the same failure, and outside the JSON log). routeGrpcLogs sends its lines to the process
// log instead, at debug (GRPC_VERBOSITY and GRPC_TRACE still select which lines grpc-js emits).
import { format } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../util/log.js';

export function routeGrpcLogs(logger: Logger): void {
  const grpcLog = logger.child({ component: 'grpc' });
  const line = (...args: unknown[]) => grpcLog.debug(format(...args).trim());
  grpc.setLogger({ error: line, info: line, debug: line });
}
