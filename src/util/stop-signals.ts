// SIGINT/SIGTERM handling shared by the long-running commands (`run`, `node`, `stdio`): the first
// signal asks for a clean stop, a later one forces the exit. One Ctrl-C can arrive twice: the
// terminal signals the whole foreground process group, and `npm start` forwards the same signal to
// its child, so a repeat of the first signal within DUPLICATE_WINDOW_MS is the same request, not
// a second one.

/** How close a repeat of the first signal must be to count as the same delivery. */
export const DUPLICATE_WINDOW_MS = 1_000;

export interface StopSignalHandlers {
  /** The first SIGINT/SIGTERM. */
  readonly stop: (signal: NodeJS.Signals) => void;
  /** A later signal (not a duplicate delivery of the first). */
  readonly force: (signal: NodeJS.Signals) => void;
}

/** Installs the handlers; returns a function that removes them. */
export function onStopSignals(handlers: StopSignalHandlers, now: () => number = Date.now): () => void {
  let first: { signal: NodeJS.Signals; at: number } | undefined;
  const handle = (signal: NodeJS.Signals) => {
    if (!first) {
      first = { signal, at: now() };
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
