// The moderator's task queue (docs/sessions-mls.md#moderator-and-participant, crates/session/src/
// session_moderator.rs): membership changes (invite, remove, a member leaving) run one at a time,
// in arrival order, because each one moves the MLS epoch and the roster. Unlike the reference,
// which silently drops some requests that arrive while it is busy (REJOIN_REQUEST), every task
// waits its turn; a closed queue refuses new tasks and hands back those still waiting. Pure.

export class TaskQueue<T> {
  private readonly waiting: T[] = [];
  private current: T | undefined;
  private closed = false;

  get length(): number {
    return this.waiting.length;
  }

  /** Adds a task; returns it when it may start now, undefined when it must wait (or the queue is closed). */
  push(task: T): T | undefined {
    if (this.closed) return undefined;
    if (this.current === undefined) {
      this.current = task;
      return task;
    }
    this.waiting.push(task);
    return undefined;
  }

  /** The running task ended; returns the next one to start, if any. */
  finish(): T | undefined {
    this.current = this.waiting.shift();
    return this.current;
  }

  /** Refuses new tasks; returns those that never started. */
  close(): T[] {
    this.closed = true;
    return this.waiting.splice(0);
  }
}
