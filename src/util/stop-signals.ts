// SIGINT/SIGTERM handling shared by the long-running commands (`run`, `node`, `stdio`): the first
// signal asks for a clean stop, a later one forces the exit. One Ctrl-C can arrive twice: the
// terminal signals the whole foreground process group, and `npm start` forwards the same signal to
// its child, so a repeat of the first signal within DUPLICATE_WINDOW_MS is the same request, not
// a second one. The forwarded copy can come late (npm is slow on a busy machine): a process that
// stopped on a signal lingers a moment before it exits (`lingerAfterStopSignal`), so the copy
// lands on our handler and not on an exiting process whose handlers are gone (which would die of
// it, and npm with it: exit 130 instead of 0).

/** How close a repeat of the first signal must be to count as the same delivery. */
export const DUPLICATE_WINDOW_MS = 1_000;

export interface StopSignalHandlers {
  /** The first SIGINT/SIGTERM. */
  readonly stop: (signal: NodeJS.Signals) => void;
  /** A later signal (not a duplicate delivery of the first). */
  readonly force: (signal: NodeJS.Signals) => void;
}

/** How long after the first signal a stopped process stays to absorb a forwarded copy. */
export const STOP_LINGER_MS = 300;

let firstSignalAt: number | undefined;

/** Resolves once STOP_LINGER_MS have passed since the first stop signal (at once if none came). */
export function lingerAfterStopSignal(now: () => number = Date.now): Promise<void> {
  if (firstSignalAt === undefined) return Promise.resolve();
  const left = firstSignalAt + STOP_LINGER_MS - now();
  return left > 0 ? new Promise((resolve) => setTimeout(resolve, left)) : Promise.resolve();
}

/** Installs the handlers; returns a function that removes them. */
export function onStopSignals(handlers: StopSignalHandlers, now: () => number = Date.now): () => void {
  let first: { signal: NodeJS.Signals; at: number } | undefined;
  const handle = (signal: NodeJS.Signals) => {
    if (!first) {
      first = { signal, at: now() };
      firstSignalAt = first.at;
      handlers.stop(signal);
      return;
    }
    if (signal === first.signal && now() - first.at < DUPLICATE_WINDOW_MS) return;
    handlers.force(signal);
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
  return () => {
    process.off('SIGINT', handle);
    process.off('SIGTERM', handle);
  };
}
