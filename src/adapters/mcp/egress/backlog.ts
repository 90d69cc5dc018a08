// The unsolicited-traffic backlog of one lane (docs/mcp-over-slimrpc.md §5.4): bounded, drained
// by at most one Listen at a time (a new Listen replaces the old one, which then ends), a message
// leaving the backlog only when it is handed to a Listen, so none is lost between two Listens.

export class ListenBacklog {
  private readonly items: Uint8Array[] = [];
  private listener: symbol | undefined;
  private wake: (() => void) | undefined;
  private closed = false;

  constructor(private readonly max: number) {}

  get listening(): boolean {
    return this.listener !== undefined;
  }

  /** Queues a message; false (nothing queued) when the backlog is full. */
  offer(bytes: Uint8Array): boolean {
    if (this.items.length >= this.max) return false;
    this.items.push(bytes);
    this.poke();
    return true;
  }

  /**
   * Becomes the listener: yields queued and new messages until `endInMs` passes, `signal` fires,
   * another listener takes over, or the backlog closes.
   */
  async *listen(endInMs: number, signal: AbortSignal): AsyncGenerator<Uint8Array> {
    const me = Symbol('listen');
    this.listener = me;
    this.poke();
    let ended = false;
    const stop = () => {
      ended = true;
      this.poke();
    };
    const timer = setTimeout(stop, Math.max(0, endInMs));
    signal.addEventListener('abort', stop, { once: true });
    try {
      while (!ended && !this.closed && this.listener === me) {
        const next = this.items.shift();
        if (next) yield next;
        else await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', stop);
      if (this.listener === me) this.listener = undefined;
    }
  }

  /** Ends the current listener and refuses new ones' waiting (the lane is gone). */
  close(): void {
    this.closed = true;
    this.poke();
  }

  private poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}
