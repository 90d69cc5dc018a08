// What a SLIMRPC channel knows of its app's link to the node (SlimApp.linkState/onLinkState), so
// that calls fail fast like gRPC's on a broken transport instead of waiting for their deadline:
// when the link leaves 'ready' the channel is told at once (it drops its session: the frames in
// flight may be lost and, after a node restart, the peer may have lost the session too), and a
// new call waits at most LINK_WAIT_MS for a reconnect in progress before failing with
// UNAVAILABLE. Apps without link state are always ready. Local behaviour: nothing on the wire.
import { combineSignals } from '../../util/abort.js';
import type { LinkState } from '../dataplane/link.js';
import type { SlimApp } from '../session/types.js';
import { RpcError, StatusCode } from './status.js';

/** How long a call made while the link is down waits for it to come back. */
export const LINK_WAIT_MS = 1000;

export const msgLinkDown = (state: string): string =>
  `SLIM node unreachable: the link to the node is ${state}`;

export class LinkWatch {
  private readonly stop: (() => void) | undefined;
  private dropped = new AbortController();

  constructor(
    private readonly app: SlimApp,
    /** The link left 'ready' (it was ready before). */
    onDown: (error: RpcError) => void,
  ) {
    let up = app.linkState === undefined || app.linkState === 'ready';
    this.stop = app.onLinkState?.((state: LinkState) => {
      if (state === 'ready') {
        up = true;
        return;
      }
      if (!up) return;
      up = false;
      const err = new RpcError(StatusCode.UNAVAILABLE, msgLinkDown(state));
      this.dropped.abort(err);
      this.dropped = new AbortController();
      onDown(err);
    });
  }

  /** Fires when the link next goes down (for work that must not outlive the link, e.g. a setup). */
  get droppedSignal(): AbortSignal {
    return this.dropped.signal;
  }

  /**
   * Resolves once the link is ready; waits at most LINK_WAIT_MS for a reconnect, then rejects
   * with UNAVAILABLE. `signal` (the channel closing) ends the wait too.
   */
  async ready(signal: AbortSignal): Promise<void> {
    const state = (): LinkState | undefined => this.app.linkState;
    if (state() === undefined || state() === 'ready') return;
    if (state() === 'closed' || !this.app.onLinkState)
      throw new RpcError(StatusCode.UNAVAILABLE, msgLinkDown(state()!));
    const { signal: wait, dispose } = combineSignals([signal], LINK_WAIT_MS);
    let off: (() => void) | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        const fail = () => reject(new RpcError(StatusCode.UNAVAILABLE, msgLinkDown(state() ?? 'down')));
        off = this.app.onLinkState!((s) => {
          if (s === 'ready') resolve();
          else if (s === 'closed') fail();
        });
        if (wait.aborted) fail();
        wait.addEventListener('abort', fail, { once: true });
      });
    } finally {
      off?.();
      dispose();
    }
  }

  dispose(): void {
    this.stop?.();
  }
}
