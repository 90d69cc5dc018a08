// Unsolicited traffic of a group session (docs/mcp-over-slimrpc.md §5.4 and "Groups"): one `Listen`
// per member that has a lane for the session (unicast: Listen is never multicast), merged into the
// client's one stream, plus the group's own list_changed notifications whenever the membership
// changes or a member goes down or comes back (its tools, prompts and resources appear or vanish).
// A member that joins later gets its lane (the client's initialize replayed) and its Listen.
import type { Logger } from '../../../util/log.js';
import type { GroupMembers, Member } from '../../group/members.js';
import { IngressRelay } from '../ingress/relay.js';
import type { Frame, RelayTimeouts } from '../ingress/relay.js';
import type { CatalogCache } from './catalog-cache.js';
import type { GroupLane } from './lane.js';
import { fromMember, localFrame } from './member-frames.js';

export interface GroupListenOptions {
  readonly lane: GroupLane;
  readonly members: GroupMembers;
  readonly catalog: CatalogCache;
  readonly timeouts: RelayTimeouts;
  readonly timeoutMs: number;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly onFrame: (frame: Frame) => Promise<void>;
}

export const LIST_CHANGED = [
  'notifications/tools/list_changed',
  'notifications/prompts/list_changed',
  'notifications/resources/list_changed',
] as const;

export function listenToGroup(o: GroupListenOptions): Promise<'gone' | 'stopped'> {
  const { lane, members, signal } = o;
  const stop = AbortSignal.any([signal, lane.ended.signal]);
  // One writer at a time: the fronts write frames in order.
  let writing: Promise<void> = Promise.resolve();
  const write = (frame: Frame) => {
    writing = writing.then(() => (stop.aborted ? undefined : o.onFrame(frame))).catch(() => {});
    return writing;
  };
  const loops = new Map<Member, AbortController>();

  const startMember = (m: Member) => {
    if (stop.aborted || loops.has(m) || !lane.isReady(m) || !members.all().includes(m)) return;
    const ctl = new AbortController(); // aborted by done() when the client's stream stops
    loops.set(m, ctl);
    const relay = new IngressRelay(m.client, o.logger, o.timeouts);
    void relay
      .listenLoop(
        () => ({ sessionId: lane.sessionId, protocolVersion: lane.metadata(m)['mcp-protocol-version'] }),
        ctl.signal,
        async (frame) => {
          o.catalog.noticeFrame(m, frame.message);
          const f = fromMember(m, frame.message);
          if (f) await write(f);
        },
      )
      .then((why) => {
        if (loops.get(m) === ctl) loops.delete(m);
        // The member lost the session: it gets a new lane (and Listen) on the group's next call.
        if (why === 'gone') lane.forget(m);
      });
  };

  const announce = () => {
    for (const method of LIST_CHANGED) void write(localFrame({ jsonrpc: '2.0', method }, 'notification'));
  };

  for (const m of lane.readyMembers()) startMember(m);
  const offReady = lane.onReady(startMember);
  const offChange = members.onChange((change) => {
    if (change.kind === 'membership') {
      for (const [m, ctl] of loops) if (!members.all().includes(m)) ctl.abort();
      const added = members.all().filter((m) => change.added.includes(m.key));
      // New members get the session now, so their own notifications reach the client too.
      if (added.length > 0)
        void lane
          .ensureReady(added, AbortSignal.any([stop, AbortSignal.timeout(o.timeoutMs)]))
          .catch(() => {});
    }
    announce();
  });

  return new Promise((resolve) => {
    const done = () => {
      offReady();
      offChange();
      for (const ctl of loops.values()) ctl.abort();
      resolve(lane.ended.signal.aborted && !signal.aborted ? 'gone' : 'stopped');
    };
    if (stop.aborted) done();
    else stop.addEventListener('abort', done, { once: true });
  });
}
