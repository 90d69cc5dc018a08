// A manual clock for session tests: timers fire only when the test advances time, so hours of
// heartbeats and token ageing take milliseconds. `advance` lets pending I/O settle between fires.
import type { SessionClock } from '../../src/slim/session/clock.js';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

export class FakeClock implements SessionClock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = Date.now()) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, ms: number): () => void {
    const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  /** Moves time forward by `ms`, firing due timers in order and letting I/O settle after each. */
  async advance(ms: number, step = 100): Promise<void> {
    const end = this.t + ms;
    while (this.t < end) {
      this.t = Math.min(end, this.t + step);
      for (;;) {
        const due = this.timers.filter((x) => x.at <= this.t).sort((a, b) => a.at - b.at || a.seq - b.seq);
        if (due.length === 0) break;
        for (const d of due) {
          this.timers = this.timers.filter((x) => x !== d);
          d.fn();
        }
        await settle();
      }
      await settle();
    }
  }
}

/** Lets queued immediates and promise jobs run (a few rounds). */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}
