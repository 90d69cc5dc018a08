// Group channel subscriptions (docs/sessions-mls.md#group-sessions): the moderator subscribes the
// data and control channel names (with their derived ids) when the group starts, a participant
// when its welcome arrives; both unsubscribe when the session ends.
import type { Logger } from 'pino';
import type { Link } from '../dataplane/link.js';
import type { SlimName } from '../dataplane/name.js';
import { describeError } from '../../util/errors.js';
import { GOODBYE_TIMEOUT_MS } from './constants.js';

interface Deps {
  readonly link: Link;
  readonly local: SlimName;
}

export async function subscribeChannels(
  deps: Deps,
  channels: { data: SlimName; control: SlimName },
): Promise<void> {
  await deps.link.subscribe(channels.data, { source: deps.local });
  await deps.link.subscribe(channels.control, { source: deps.local });
}

export async function unsubscribeChannels(
  deps: Deps,
  channels: { data: SlimName; control: SlimName },
  log: Logger,
): Promise<void> {
  // Bounded: a node that does not confirm must not hold the session's teardown.
  for (const name of [channels.data, channels.control]) {
    try {
      await deps.link.unsubscribe(name, { source: deps.local }, AbortSignal.timeout(GOODBYE_TIMEOUT_MS));
    } catch (err) {
      log.debug({ err: describeError(err) }, 'unsubscribe failed');
    }
  }
}
