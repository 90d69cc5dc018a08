// Writes length-prefixed gRPC messages straight to an HTTP/2 stream, all the frames of one
// event-loop turn in one write (docs/dataplane.md#grpc-service, "Socket writes"). grpc-js hands a
// stream one message at a time and waits for each to reach the socket before the next, so N frames
// produced together cost N socket writes and N wake-ups at the peer; here they share one write
// (one DATA frame, one `writev`). The bytes on the wire are the gRPC framing grpc-js would produce
// (1 byte compressed = 0, 4 bytes big-endian length, the message); only their grouping changes.
// Ordering is the order of write(); backpressure is counted in frames not yet taken by the socket.

/** What this writer needs of an HTTP/2 stream (node:http2's Http2Stream). */
export interface RawStream {
  write(chunk: Uint8Array, cb: (err?: Error | null) => void): boolean;
  readonly destroyed: boolean;
}

/** gRPC length prefix: compressed flag + 32-bit big-endian length. */
export const GRPC_PREFIX_BYTES = 5;

export class GrpcBatchWriter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private scheduled: NodeJS.Immediate | undefined;
  private inFlight = 0;
  private discarded = false;

  constructor(
    private readonly stream: RawStream,
    /** Called after each batch the socket took, with `unsent` then (the caller's backpressure). */
    private readonly onwritten: (unsent: number) => void,
    /** Called once if the stream refuses a write (it is going away). */
    private readonly onerror: (err: Error) => void,
  ) {}

  /** Frames written but not yet taken by the socket (queued here or in the HTTP/2 stream). */
  get unsent(): number {
    return this.pending.length + this.inFlight;
  }

  /** Queues one message; it leaves with the others of this turn. Returns `unsent`. */
  write(message: Uint8Array): number {
    if (this.discarded) return 0;
    this.pending.push(message);
    this.pendingBytes += GRPC_PREFIX_BYTES + message.length;
    // setImmediate, not a microtask: the frames of one call often come from separate callbacks
    // of the same I/O phase (each MLS seal resolves on its own), which a microtask would split.
    this.scheduled ??= setImmediate(() => this.flush());
    return this.unsent;
  }

  /** Writes what is queued now (before the stream is ended, so that nothing queued is lost). */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const frames = this.pending;
    if (frames.length === 0 || this.discarded) return;
    const out = Buffer.allocUnsafe(this.pendingBytes);
    let p = 0;
    for (const m of frames) {
      out[p] = 0;
      out.writeUInt32BE(m.length, p + 1);
      out.set(m, p + GRPC_PREFIX_BYTES);
      p += GRPC_PREFIX_BYTES + m.length;
    }
    this.pending = [];
    this.pendingBytes = 0;
    if (this.stream.destroyed) return this.fail(new Error('stream destroyed'));
    const n = frames.length;
    this.inFlight += n;
    this.stream.write(out, (err) => {
      this.inFlight -= n;
      if (err) return this.fail(err);
      if (!this.discarded) this.onwritten(this.unsent);
    });
  }

  /** Drops what is queued (the stream is gone); later writes are ignored. */
  discard(): void {
    this.discarded = true;
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.pending = [];
    this.pendingBytes = 0;
  }

  private fail(err: Error): void {
    if (this.discarded) return;
    this.discard();
    this.onerror(err);
  }
}

type Loose = Record<string, unknown> | undefined;
const field = (o: unknown, key: string): Loose =>
  typeof o === 'object' && o !== null ? ((o as Record<string, unknown>)[key] as Loose) : undefined;

function asRawStream(s: unknown): RawStream | undefined {
  const o = s as (Partial<RawStream> & { sendTrailers?: unknown; session?: unknown }) | undefined;
  if (typeof o !== 'object' || o === null) return undefined;
  if (typeof o.write !== 'function' || typeof o.sendTrailers !== 'function' || typeof o.session !== 'object')
    return undefined;
  return o as RawStream;
}

/**
 * The HTTP/2 stream under a grpc-js client call, once the call is committed (it has had its first
 * reply, so grpc-js will not retry it on another stream), when grpc-js 1.14's layout is what we
 * expect: intercepting call -> resolving call -> retrying call (one underlying call) ->
 * load-balancing call -> subchannel call. Undefined otherwise; the caller then writes through
 * grpc-js as before.
 */
export function clientCallStream(call: object): RawStream | undefined {
  const retrying = field(field(field(call, 'call'), 'call'), 'child');
  const underlying = field(retrying, 'underlyingCalls');
  if (field(retrying, 'state') !== ('COMMITTED' as unknown) || !Array.isArray(underlying)) return undefined;
  if (underlying.length !== 1) return undefined;
  return asRawStream(field(field(field(underlying[0], 'call'), 'child'), 'http2Stream'));
}

/**
 * The HTTP/2 stream under a grpc-js server call, when grpc-js 1.14's layout is what we expect
 * (a call without interceptors keeps it as `call.stream`); undefined otherwise, and the caller
 * writes through grpc-js, one frame per socket write, as before.
 */
export function serverCallStream(call: object): RawStream | undefined {
  const inner = (call as { call?: { stream?: unknown } }).call?.stream;
  if (typeof inner !== 'object' || inner === null) return undefined;
  const s = inner as Partial<RawStream> & { sendTrailers?: unknown; respond?: unknown };
  if (
    typeof s.write !== 'function' ||
    typeof s.sendTrailers !== 'function' ||
    typeof s.respond !== 'function'
  )
    return undefined;
  return s as RawStream;
}
