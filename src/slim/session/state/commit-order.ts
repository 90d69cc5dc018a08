// Commit ordering on a participant (docs/sessions-mls.md#moderator-and-participant,
// crates/session/src/ mls_state.rs): GROUP_UPDATE commits carry commit_id 1, 2, ...; they are
// applied strictly as last+1, last+2, ...; ids at or below the last applied are stale, an id
// already waiting is a duplicate. The welcome sets the starting point. Pure.

export type Offer = 'stale' | 'duplicate' | 'stored' | 'not-joined';

export class CommitOrder<T> {
  private last = 0;
  private readonly waiting = new Map<number, T>();

  /** The welcome's commit id: commits after it apply from here. */
  joined(commitId: number): void {
    this.last = commitId;
    for (const id of [...this.waiting.keys()]) if (id <= commitId) this.waiting.delete(id);
  }

  get lastApplied(): number {
    return this.last;
  }

  offer(commitId: number, item: T): Offer {
    if (this.last === 0) return 'not-joined';
    if (commitId <= this.last) return 'stale';
    if (this.waiting.has(commitId)) return 'duplicate';
    this.waiting.set(commitId, item);
    return 'stored';
  }

  /** The next commit in order, if it has arrived; call `applied()` once it is in. */
  peek(): T | undefined {
    return this.waiting.get(this.last + 1);
  }

  applied(): void {
    this.waiting.delete(this.last + 1);
    this.last += 1;
  }
}
