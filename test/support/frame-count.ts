// SLIMRPC frames counted per call on tapped links (test/support/tap-link.ts): session data frames
// by `rpc-id`, the calls they open, acknowledgements and retransmissions. For the tests that
// hold the frames a call costs in place (interop/rpc-frames-reference, interop/rpc-multicast-reference).
import { decodeMessage } from '../../src/slim/proto/index.js';
import { MsgType, readFrame } from '../../src/slim/session/frames.js';
import type { TapLink } from './tap-link.js';

const DATA = new Set([MsgType.MSG, MsgType.MSG_ACK, MsgType.RTX_REQUEST, MsgType.RTX_REPLY]);

export interface Counted {
  /** MSG frames per rpc-id. */
  msgs: Map<string, number>;
  /** rpc-ids of the calls' first frames (they name service and method). */
  opened: Set<string>;
  acks: number;
  retransmissions: number;
}

/** The session data frames in `frames` (bytes recorded by a TapLink). */
export function count(frames: Uint8Array[]): Counted {
  const out: Counted = { msgs: new Map(), opened: new Set(), acks: 0, retransmissions: 0 };
  for (const bytes of frames) {
    const f = readFrame(decodeMessage(bytes));
    if (!f || !DATA.has(f.type)) continue;
    if (f.type === MsgType.MSG_ACK) out.acks++;
    else if (f.type !== MsgType.MSG) out.retransmissions++;
    else {
      const id = f.metadata['rpc-id'] ?? '';
      out.msgs.set(id, (out.msgs.get(id) ?? 0) + 1);
      if (f.metadata['service'] !== undefined) out.opened.add(id);
    }
  }
  return out;
}

export const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

/** Only the calls opened in the window (a frame of an earlier call may still be on its way). */
export function only(c: Counted, ids: Iterable<string>): Counted {
  const keep = new Set(ids);
  return { ...c, msgs: new Map([...c.msgs].filter(([id]) => keep.has(id))) };
}

export function reset(tap: TapLink): void {
  tap.toNode.length = 0;
  tap.fromNode.length = 0;
}
