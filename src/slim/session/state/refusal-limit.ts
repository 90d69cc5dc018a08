// How many discovery refusals an app may send (docs/security.md, "Refusals"): a
// refusal answers a frame from someone whose identity we do not accept, so it must never let a
// stranger make us send more than a trickle (to itself, or to a victim whose name it writes as
// the source). Two token buckets: one for every refusal, one per claimed source name (the last
// REFUSAL_SOURCES names; a forgotten name starts again with a full bucket, still under the total).
// Pure: time is an input.
import {
  REFUSALS_PER_SECOND,
  REFUSALS_PER_SOURCE_PER_SECOND,
  REFUSAL_BURST,
  REFUSAL_SOURCES,
  REFUSAL_SOURCE_BURST,
} from '../constants.js';

export interface RefusalLimits {
  perSecond: number;
  burst: number;
  perSourcePerSecond: number;
  sourceBurst: number;
  sources: number;
}

export const DEFAULT_REFUSAL_LIMITS: RefusalLimits = {
  perSecond: REFUSALS_PER_SECOND,
  burst: REFUSAL_BURST,
  perSourcePerSecond: REFUSALS_PER_SOURCE_PER_SECOND,
  sourceBurst: REFUSAL_SOURCE_BURST,
  sources: REFUSAL_SOURCES,
};

class Bucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.at = now;
  }

  /** Refills for the time since the last look; true when a whole token is there. */
  has(now: number): boolean {
    if (now > this.at) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate);
      this.at = now;
    }
    return this.tokens >= 1;
  }

  take(): void {
    this.tokens -= 1;
  }
}

export class RefusalLimit {
  private readonly total: Bucket;
  private readonly perSource = new Map<string, Bucket>();
  /** Refusals not sent because a budget was spent (for the log). */
  suppressed = 0;

  constructor(
    now: number,
    private readonly limits: RefusalLimits = DEFAULT_REFUSAL_LIMITS,
  ) {
    this.total = new Bucket(limits.perSecond, limits.burst, now);
  }

  /** True (and both budgets charged) when a refusal to `source` may be sent now. */
  allow(source: string, now: number): boolean {
    let own = this.perSource.get(source);
    if (own)
      this.perSource.delete(source); // most recent last
    else own = new Bucket(this.limits.perSourcePerSecond, this.limits.sourceBurst, now);
    this.perSource.set(source, own);
    if (this.perSource.size > this.limits.sources)
      this.perSource.delete(this.perSource.keys().next().value as string);
    if (!own.has(now) || !this.total.has(now)) {
      this.suppressed++;
      return false;
    }
    own.take();
    this.total.take();
    return true;
  }
}
