// Ordered teardown: things are registered as they start and closed in reverse, each step under a
// deadline so shutdown can never hang on one stuck part; failures are logged, never thrown (close
// never rejects).
import { describeError } from '../util/errors.js';
import type { Logger } from '../util/log.js';

export class Closer {
  private readonly steps: { label: string; close: () => Promise<void> }[] = [];

  constructor(
    private readonly logger: Logger,
    /** Deadline of each step (read when closing, so it can follow a grace period). */
    private readonly stepTimeoutMs: number | (() => number),
  ) {}

  add(label: string, close: () => Promise<void>): void {
    this.steps.push({ label, close });
  }

  get size(): number {
    return this.steps.length;
  }

  /** Closes everything registered, last first. */
  async closeAll(): Promise<void> {
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      const ms = typeof this.stepTimeoutMs === 'number' ? this.stepTimeoutMs : this.stepTimeoutMs();
      await closeWithin(step.label, step.close, ms, this.logger);
    }
  }
}

/** Runs `close` and waits for it at most `ms`; logs a failure or an overrun instead of throwing. */
export async function closeWithin(
  label: string,
  close: () => Promise<void>,
  ms: number,
  logger: Logger,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
  try {
    const r = await Promise.race([close().then(() => 'done' as const), overrun]);
    if (r === 'timeout') logger.warn({ part: label, ms }, 'did not close in time; moving on');
  } catch (err) {
    logger.warn({ part: label, err: describeError(err) }, 'close failed');
  } finally {
    clearTimeout(timer);
  }
}
