// Time for the session layer: every timer goes through a SessionClock, so tests can drive a
// session with a fake clock (hours in milliseconds) and state machines take `now` as an input.
// The same clock should feed the identity provider, so tokens age with it.

export interface SessionClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Runs `fn` after `ms`; returns a cancel function. Pending timers keep the process alive, as an
   * open session should (and a close waiting for its last acknowledgements must finish).
   */
  setTimer(fn: () => void, ms: number): () => void;
}

export const realClock: SessionClock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(t);
  },
};
