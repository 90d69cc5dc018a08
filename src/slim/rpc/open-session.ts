// The SLIM session under a SLIMRPC client (channel: p2p; multicast: group), set up the same way
// for both: once the link is ready, MLS as configured, with the channel's metadata and setup
// deadline; a group session with per-message acknowledgements, a point-to-point one without
// unless the channel asks (options.ts; docs/deviations.md, SLIMRPC). A setup under way when the
// link drops or the channel closes is abandoned at once (its frames are lost); any failure is
// UNAVAILABLE, as a gRPC connect failure is.
import { combineSignals } from '../../util/abort.js';
import type { SlimName } from '../dataplane/name.js';
import type { Session, SlimApp } from '../session/types.js';
import type { LinkWatch } from './link-watch.js';
import { SESSION_INTERVAL_MS, SESSION_MAX_RETRIES } from './options.js';
import type { ResolvedChannelOptions } from './options.js';
import { RpcError, StatusCode } from './status.js';

export async function openRpcSession(
  app: SlimApp,
  link: LinkWatch,
  destination: SlimName,
  kind: 'p2p' | 'group',
  opts: ResolvedChannelOptions,
  closing: AbortSignal,
): Promise<Session> {
  await link.ready(closing);
  const setup = combineSignals([closing, link.droppedSignal]);
  try {
    return await app.createSession(destination, {
      kind,
      mls: opts.mls,
      reliable: kind === 'group' || opts.acknowledged,
      intervalMs: SESSION_INTERVAL_MS,
      maxRetries: SESSION_MAX_RETRIES,
      metadata: opts.sessionMetadata,
      setupTimeoutMs: opts.setupTimeoutMs,
      signal: setup.signal,
    });
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new RpcError(StatusCode.UNAVAILABLE, `Failed to create session: ${detail}`, { cause: err });
  } finally {
    setup.dispose();
  }
}
