// Keeps one unit (a service, a route) running: starts it, and when starting fails or the running
// unit reports a failure, retries after a capped exponential backoff. The unit's state and last
// error feed /readyz and the startup summary. Closing aborts an attempt in progress, clears the
// retry timer and closes the running unit (with the grace period the caller gives). A unit that
// fails soon after it came up (a backend that accepts connections and then fails every call, a
// spawned process that dies at once) keeps the growing delay: only a unit that stayed up for
// stableMs starts again from the initial delay.
import { combineSignals } from '../util/abort.js';
import { describeError } from '../util/errors.js';
import type { Logger } from '../util/log.js';

export interface Unit {
  close(graceMs: number): Promise<void>;
}

export type UnitState = 'starting' | 'up' | 'retrying' | 'closed';

export interface SupervisorOptions {
  readonly logger: Logger;
  /** Deadline of one start attempt. */
  readonly attemptTimeoutMs: number;
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  /** How long a unit must stay up before its next failure retries from the initial delay. */
  readonly stableMs?: number;
}

const DEFAULT_STABLE_MS = 60_000;

/** Delay before retry number `attempt` (0-based): initial * 2^attempt, capped. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
}

export class Supervisor<T extends Unit> {
  private stateValue: UnitState = 'starting';
  private current: T | undefined;
  private error: string | undefined;
  private attempts = 0;
  private upSince = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private readonly stop = new AbortController();
  private firstSettled!: () => void;
  /** Resolves once the first attempt has succeeded or failed. */
  readonly firstAttempt = new Promise<void>((r) => (this.firstSettled = r));

  constructor(
    readonly label: string,
    private readonly startUnit: (signal: AbortSignal, reportFailure: (err: unknown) => void) => Promise<T>,
    private readonly options: SupervisorOptions,
  ) {}

  get state(): UnitState {
    return this.stateValue;
  }

  get value(): T | undefined {
    return this.current;
  }

  /** Why the unit is not up ('' when it is). */
  get lastError(): string {
    return this.error ?? '';
  }

  start(): this {
    this.run();
    return this;
  }

  private run(): void {
    this.running = this.attempt();
  }

  private async attempt(): Promise<void> {
    if (this.stop.signal.aborted) return;
    const { signal, dispose } = combineSignals([this.stop.signal], this.options.attemptTimeoutMs);
    let unit: T | undefined;
    const failures: unknown[] = [];
    try {
      unit = await this.startUnit(signal, (err) => {
        if (unit && this.current === unit) void this.onFailure(unit, err);
        else failures.push(err);
      });
    } catch (err) {
      dispose();
      if (this.stop.signal.aborted) return;
      this.scheduleRetry(err);
      return;
    }
    dispose();
    if (this.stop.signal.aborted) {
      await unit.close(0);
      return;
    }
    this.current = unit;
    this.stateValue = 'up';
    this.error = undefined;
    this.upSince = Date.now();
    this.options.logger.info({ unit: this.label }, 'started');
    this.firstSettled();
    if (failures.length > 0) void this.onFailure(unit, failures[0]);
  }

  private async onFailure(unit: T, err: unknown): Promise<void> {
    if (this.current !== unit || this.stop.signal.aborted) return;
    this.current = undefined;
    if (Date.now() - this.upSince >= (this.options.stableMs ?? DEFAULT_STABLE_MS)) this.attempts = 0;
    await unit.close(0).catch(() => {});
    this.scheduleRetry(err);
  }

  private scheduleRetry(err: unknown): void {
    this.error = describeError(err);
    this.stateValue = 'retrying';
    const delay = backoffDelay(
      this.attempts++,
      this.options.initialDelayMs ?? 500,
      this.options.maxDelayMs ?? 30_000,
    );
    this.options.logger.warn({ unit: this.label, err: this.error, retryInMs: delay }, 'failed; will retry');
    this.firstSettled();
    this.timer = setTimeout(() => this.run(), delay);
  }

  /** Stops retrying and closes the running unit. Idempotent. */
  async close(graceMs: number): Promise<void> {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'closed';
    this.stop.abort();
    clearTimeout(this.timer);
    this.firstSettled();
    // An attempt in progress sees the abort, and closes what it started before it returns.
    await this.running;
    const unit = this.current;
    this.current = undefined;
    if (unit) await unit.close(graceMs);
  }
}
