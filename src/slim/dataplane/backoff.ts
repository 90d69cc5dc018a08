// Reconnect delays: exponential with jitter, so that many links dropped by one node restart do not
// come back in lock step. Pure: the random source is injected.

export interface BackoffPolicy {
  /** Delay before the first retry. */
  initialDelayMs: number;
  /** Cap on any delay. */
  maxDelayMs: number;
  /** Growth per attempt. */
  multiplier: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialDelayMs: 100, maxDelayMs: 5_000, multiplier: 2 };

/** Delay before retry number `attempt` (0-based): uniform in [d/2, d] with d = initial·multiplier^attempt, capped. */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const base = Math.min(
    policy.maxDelayMs,
    policy.initialDelayMs * Math.pow(policy.multiplier, Math.max(0, attempt)),
  );
  return Math.round(base / 2 + random() * (base / 2));
}
