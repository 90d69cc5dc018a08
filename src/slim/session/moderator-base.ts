// What a moderator keeps besides the session core (docs/sessions-mls.md#moderator-and-participant):
// its task queue (membership changes one at a time, task-queue.ts), the MLS commit counter (commit
// ids 1, 2, ...), the name -> MLS identity map, and the helpers its flows share: starting the
// group, the JOIN_REQUEST payload, requests awaited from outside the loop, partial failures.
import { baseName, sameName, toProtoName, nameKey } from '../dataplane/name.js';
import type { SlimName } from '../dataplane/name.js';
import type { MlsClient } from '../mls/types.js';
import type { Message } from '../proto/index.js';
import { raceSignal } from '../../util/abort.js';
import { GatewayError } from '../../util/errors.js';
import { subscribeChannels } from './channels.js';
import { GROUP_FANOUT } from './constants.js';
import { NoReplyError } from './errors.js';
import { readFrame } from './frames.js';
import { MemberSession } from './membership.js';
import type { SessionDeps, SessionParams } from './session-base.js';
import { TaskQueue } from './state/task-queue.js';

type Task = { start: () => Promise<void>; cancel: (err: Error) => void };

export abstract class ModeratorBase extends MemberSession {
  protected readonly tasks = new TaskQueue<Task>();
  protected commitId = 0;
  protected readonly identities = new Map<string, string>();
  protected started = false;

  constructor(
    deps: SessionDeps,
    params: SessionParams,
    /** p2p: the peer as given (usually the NULL id); group: the channel name. */
    protected readonly target: SlimName,
    protected readonly mlsClient: () => Promise<MlsClient>,
    channels?: { data: SlimName; control: SlimName },
  ) {
    super(deps, params);
    this.channels = channels;
  }

  protected enqueue<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const task: Task = {
        start: async () => {
          try {
            resolve(await fn());
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          } finally {
            void this.tasks.finish()?.start();
          }
        },
        cancel: reject,
      };
      if (this.state === 'closed' || this.state === 'closing') {
        reject(new GatewayError('CLOSED', 'session is closed'));
        return;
      }
      void this.tasks.push(task)?.start();
    });
  }

  /** The reference's `join`: first peer found (p2p) or creation (group). */
  protected async start(peer: SlimName | undefined): Promise<void> {
    if (this.started) return;
    if (this.kind === 'p2p') this.peer = peer;
    else await subscribeChannels(this.deps, this.channels!);
    if (this.mls) this.group = await (await this.mlsClient()).createGroup();
    this.started = true;
    this.roster.set(baseName(this.local), {
      name: this.local,
      sendsData: true,
      receivesData: true,
      online: true,
    });
    this.liveness.start(this.now());
  }

  /** GROUP_UPDATEs go to the control channel, to every member. */
  protected controlRoute() {
    return this.route(this.channels!.control, GROUP_FANOUT);
  }

  protected joinPayload() {
    const p = this.params;
    return {
      // The reference's group participants refuse a JOIN_REQUEST without timer settings.
      timerSettings:
        p.reliable || this.kind === 'group'
          ? { timeout: p.policy.intervalMs, maxRetries: p.policy.maxRetries }
          : undefined,
      channel: this.kind === 'group' ? toProtoName(this.channels!.data) : undefined,
      control: this.kind === 'group' ? toProtoName(this.channels!.control) : undefined,
      mlsSettings: this.mls ? { headerIntegrityValidationPercent: p.headerCheckPercent } : undefined,
    };
  }

  /** Members that did not acknowledge an update are marked offline (the reference's partial success). */
  protected partialFailure(err: unknown): void {
    if (err instanceof NoReplyError) for (const k of err.missing) this.memberOffline(k, 'no acknowledgement');
  }

  protected othersKeys(): string[] {
    return [...this.roster.values()]
      .filter((m) => m.online && !sameName(m.name, this.local))
      .map((m) => nameKey(m.name));
  }

  protected setupBudget(): number {
    const p = this.params.policy;
    return (p.maxRetries + 1) * p.intervalMs * 4;
  }

  /** request() from outside the loop: waits for the replies, honouring a deadline. */
  protected async exchange(frame: Message, expected: string[], what: string, signal?: AbortSignal) {
    const { done } = await this.run(() => this.request(frame, expected, what));
    try {
      return await raceSignal(done, signal);
    } catch (err) {
      const id = readFrame(frame)!.messageId;
      await this.run(() => this.cancelRequest(id, err instanceof Error ? err : new Error(String(err))));
      throw err;
    }
  }

  protected cancelTasks(): void {
    const err = new GatewayError('CLOSED', 'session closed');
    for (const t of this.tasks.close()) t.cancel(err);
  }
}
