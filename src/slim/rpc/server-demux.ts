// Server-side demultiplexing of one session's frames into calls (docs/slimrpc.md#server-demux), as
// an I/O-free state machine: each received frame yields one decision for the shell (drop it, route
// it into a live request stream, start a call, or reject the call with an error frame). It holds
// only the set of live rpc-ids and whether each still takes request frames.
//
// Rules, in the reference's order:
//  1. no rpc-id (or an empty one): dropped;
//  2. a live stream-input call takes `slimrpc-dir=req` frames until its terminal frame; anything
//     else for it (echoes, redundant EOS) is dropped;
//  3. otherwise a frame without `slimrpc-dir=req` is dropped (echoes in groups, the reference
//     client's redundant second EOS);
//  4. a frame for a live call whose request side is over is dropped (a duplicate first frame, or
//     a unary call's EOS) — the reference would start a second handler for a duplicate;
//  5. service and method are required (else dropped); unknown → UNIMPLEMENTED
//     "Method not found: svc/method"; while draining → UNAVAILABLE; over the concurrency limit
//     → RESOURCE_EXHAUSTED;
//  6. otherwise a new call starts. A stream-input call keeps taking frames unless its first frame
//     was already terminal (an empty request stream).
import { classifyFrame, isRequestFrame, rpcIdOf, METHOD_KEY, SERVICE_KEY } from './frames.js';
import type { FrameKind, Metadata } from './frames.js';
import { StatusCode } from './status.js';

export type HandlerInput = 'unary' | 'stream';

export type DemuxDecision =
  | { type: 'drop'; reason: string }
  | { type: 'route'; rpcId: string; frame: FrameKind; last: boolean }
  | { type: 'start'; rpcId: string; service: string; method: string; frame: FrameKind; streaming: boolean }
  | { type: 'reject'; rpcId: string; status: StatusCode; message: string };

export const MSG_SHUTTING_DOWN = 'Server shutting down';
export const MSG_TOO_MANY_CALLS = 'Too many concurrent calls';

export class ServerDemux {
  /** rpc-id → whether the call still takes request frames. */
  private readonly calls = new Map<string, boolean>();
  private draining = false;

  constructor(
    private readonly lookup: (service: string, method: string) => HandlerInput | undefined,
    /** Whether one more call may start (the server-wide concurrency limit). */
    private readonly admit: () => boolean = () => true,
  ) {}

  get liveCalls(): number {
    return this.calls.size;
  }

  /** New calls are refused from now on (in-flight ones continue). */
  drain(): void {
    this.draining = true;
  }

  /** The call is over (its handler finished or was cancelled): later frames for it are dropped. */
  release(rpcId: string): void {
    this.calls.delete(rpcId);
  }

  /** Stops routing request frames to a call (its handler no longer reads them). */
  closeInput(rpcId: string): void {
    if (this.calls.has(rpcId)) this.calls.set(rpcId, false);
  }

  handle(metadata: Readonly<Metadata>, payload: Uint8Array): DemuxDecision {
    const rpcId = rpcIdOf(metadata);
    if (rpcId === undefined) return { type: 'drop', reason: 'no rpc-id' };
    const isReq = isRequestFrame(metadata);
    const live = this.calls.get(rpcId);
    if (live === true) {
      if (!isReq) return { type: 'drop', reason: 'not a request frame' };
      const frame = classifyFrame(metadata, payload);
      const last = frame.kind !== 'data';
      if (last) this.calls.set(rpcId, false);
      return { type: 'route', rpcId, frame, last };
    }
    if (!isReq) return { type: 'drop', reason: 'not a request frame' };
    if (live === false) return { type: 'drop', reason: 'request side of the call is over' };
    const service = metadata[SERVICE_KEY];
    const method = metadata[METHOD_KEY];
    if (!service || !method) return { type: 'drop', reason: 'no service or method' };
    const input = this.lookup(service, method);
    if (input === undefined) {
      return {
        type: 'reject',
        rpcId,
        status: StatusCode.UNIMPLEMENTED,
        message: `Method not found: ${service}/${method}`,
      };
    }
    if (this.draining)
      return { type: 'reject', rpcId, status: StatusCode.UNAVAILABLE, message: MSG_SHUTTING_DOWN };
    if (!this.admit()) {
      return { type: 'reject', rpcId, status: StatusCode.RESOURCE_EXHAUSTED, message: MSG_TOO_MANY_CALLS };
    }
    const frame = classifyFrame(metadata, payload);
    const streaming = input === 'stream' && frame.kind === 'data';
    this.calls.set(rpcId, streaming);
    return { type: 'start', rpcId, service, method, frame, streaming };
  }
}
