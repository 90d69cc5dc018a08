// One client session of a group route, at the members (docs/mcp-over-slimrpc.md §4 and "Groups").
// The group uses the client's SLIM-side session id on every member: each member keeps its own lane
// under (gateway, session id), so one multicast carries the same metadata to all. The client's
// `initialize` is replayed to each member that joins later (or whose lane was lost: NOT_FOUND),
// followed by `notifications/initialized` when the client already sent it. A stateless lane (no
// session, modern revisions) needs no initialization.
import { RpcError, StatusCode } from '../../../slim/rpc/index.js';
import type { Member } from '../../group/members.js';
import { idKey, isErrorResponse } from '../jsonrpc.js';
import type { JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from '../jsonrpc.js';
import {
  EMPTY_OBJECT,
  encodeMessage,
  MCP_SERVICE,
  McpRpcMethod,
  META_PROTOCOL_VERSION,
  META_SESSION_ID,
} from '../wire.js';
import { callMany } from './calls.js';
import type { CallEnv, CallTarget, MemberAnswer } from './calls.js';
import type { Item } from './presented-catalog.js';

type MemberState =
  | { readonly status: 'ready'; readonly version: string | undefined }
  | { readonly status: 'pending'; readonly done: Promise<void> };

export interface InitOutcome {
  readonly member: Member;
  /** The member's initialize result (only when it was initialized by this call). */
  readonly result?: Item;
  readonly error?: string;
}

export interface Inflight {
  readonly members: readonly Member[];
  readonly abort: AbortController;
}

let initCounter = 0;

export class GroupLane {
  /** The client's initialize, replayed to members joining later. */
  initRequest: JsonRpcRequest | undefined;
  /** The client's `notifications/initialized`, once sent. */
  initialized: JsonRpcNotification | undefined;
  /** The revision the group answered the client. */
  protocolVersion: string | undefined;
  readonly inflight = new Map<string, Inflight>();
  /** Fires when the client's session ends (its Listen loops stop). */
  readonly ended = new AbortController();
  private readonly states = new Map<Member, MemberState>();
  private readonly readyListeners = new Set<(m: Member) => void>();

  constructor(
    readonly sessionId: string | undefined,
    private readonly env: CallEnv & { readonly timeoutMs: number },
  ) {}

  get stateless(): boolean {
    return this.sessionId === undefined;
  }

  isReady(m: Member): boolean {
    return this.stateless || this.states.get(m)?.status === 'ready';
  }

  /** Members with a lane here (those a notification should reach). */
  readyMembers(): Member[] {
    return this.env.members.all().filter((m) => this.isReady(m));
  }

  /** Called whenever a member becomes ready (Listen starts its loop). */
  onReady(listener: (m: Member) => void): () => void {
    this.readyListeners.add(listener);
    return () => this.readyListeners.delete(listener);
  }

  /** The member's lane is gone (it answered NOT_FOUND): initialize it again on next use. */
  forget(m: Member): void {
    if (this.states.get(m)?.status === 'ready') this.states.delete(m);
  }

  /** Ends this session at one member (it is leaving the group), best effort. */
  async closeMember(m: Member): Promise<void> {
    if (this.stateless || !this.isReady(m)) return;
    const metadata = this.metadata(m);
    this.states.delete(m);
    await m.client
      .unary(MCP_SERVICE, McpRpcMethod.Close, EMPTY_OBJECT, {
        timeoutMs: Math.min(this.env.timeoutMs, 10_000),
        metadata,
      })
      .catch(() => {});
  }

  metadata(m: Member | undefined, protocolVersion?: string): Record<string, string> {
    const md: Record<string, string> = {};
    if (this.sessionId !== undefined) md[META_SESSION_ID] = this.sessionId;
    const s = m ? this.states.get(m) : undefined;
    const v = s?.status === 'ready' ? s.version : protocolVersion;
    if (v !== undefined) md[META_PROTOCOL_VERSION] = v;
    return md;
  }

  /** Call targets for `members`; the version is left out when the members negotiated different ones. */
  targets(members: readonly Member[], protocolVersion?: string): CallTarget[] {
    const all = members.map((m) => ({ member: m, metadata: this.metadata(m, protocolVersion) }));
    const versions = new Set(all.map((t) => t.metadata[META_PROTOCOL_VERSION]));
    if (versions.size <= 1) return all;
    return members.map((m) => ({ member: m, metadata: this.metadata(undefined) }));
  }

  /**
   * Makes sure each of `members` has a lane for this session: initializes those that have none
   * (one multicast when that is every member of the group), waits for those being initialized.
   */
  async ensureReady(
    members: readonly Member[],
    signal: AbortSignal,
    timeoutMs = this.env.timeoutMs,
  ): Promise<InitOutcome[]> {
    if (this.stateless || !this.initRequest) return members.map((member) => ({ member }));
    const fresh = members.filter((m) => !this.states.has(m));
    const pending = members
      .map((m) => this.states.get(m))
      .filter((s): s is Extract<MemberState, { status: 'pending' }> => s?.status === 'pending');
    const out = new Map<Member, InitOutcome>();
    if (fresh.length > 0) {
      let release!: () => void;
      const done = new Promise<void>((r) => (release = r));
      for (const m of fresh) this.states.set(m, { status: 'pending', done });
      try {
        const answers = await this.initialize(fresh, signal, timeoutMs);
        for (const a of answers) out.set(a.member, this.settle(a));
      } finally {
        for (const m of fresh) if (this.states.get(m)?.status === 'pending') this.states.delete(m);
        release();
      }
    }
    await Promise.all(pending.map((p) => p.done));
    return members.map((m) => {
      const o = out.get(m);
      if (o) return o;
      return this.isReady(m) ? { member: m } : { member: m, error: 'the member could not join this session' };
    });
  }

  private async initialize(
    members: readonly Member[],
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<MemberAnswer[]> {
    const message: JsonRpcRequest = { ...this.initRequest!, id: `slim-gateway-init-${++initCounter}` };
    const targets = members.map((m) => ({ member: m, metadata: this.metadata(undefined) }));
    const answers = await callMany(
      this.env,
      targets,
      message,
      { timeoutMs, signal },
      () => {}, // server-to-client traffic during initialize has no client to go to yet
    );
    if (this.initialized) {
      const ready = answers.filter((a) => a.response && !isErrorResponse(a.response));
      await Promise.all(ready.map((a) => this.notifyOne(a.member, this.initialized!, signal)));
    }
    return answers;
  }

  private settle(a: MemberAnswer): InitOutcome {
    const m = a.member;
    if (a.failure?.status === StatusCode.FAILED_PRECONDITION && /SessionExists/.test(a.failure.message)) {
      // The member still holds this session from before (ours: the id is only ever ours).
      this.states.set(m, { status: 'ready', version: this.protocolVersion });
      for (const l of [...this.readyListeners]) l(m);
      return { member: m };
    }
    if (!a.response) return { member: m, error: a.failure?.message ?? 'no answer' };
    if (isErrorResponse(a.response)) return { member: m, error: a.response.error.message };
    const result = (a.response.result ?? {}) as Item;
    const v = result['protocolVersion'];
    this.states.set(m, { status: 'ready', version: typeof v === 'string' ? v : undefined });
    for (const l of [...this.readyListeners]) l(m);
    return { member: m, result };
  }

  /** A notification (or a response) to one member, by unicast `Notify`. */
  async notifyOne(
    m: Member,
    message: JsonRpcNotification | JsonRpcResponse,
    signal?: AbortSignal,
  ): Promise<void> {
    try {
      await m.client.unary(MCP_SERVICE, McpRpcMethod.Notify, encodeMessage(message), {
        timeoutMs: Math.min(this.env.timeoutMs, 30_000),
        ...(signal ? { signal } : {}),
        metadata: this.metadata(m),
      });
    } catch (err) {
      if (err instanceof RpcError && err.status === StatusCode.NOT_FOUND) this.forget(m);
      throw err;
    }
  }

  /** Ends the session at every member that has one (best effort). */
  async close(): Promise<void> {
    if (this.stateless) return;
    const ready = this.readyMembers();
    this.states.clear();
    await Promise.all(
      ready.map((m) =>
        m.client
          .unary(MCP_SERVICE, McpRpcMethod.Close, EMPTY_OBJECT, {
            timeoutMs: Math.min(this.env.timeoutMs, 30_000),
            metadata: this.metadata(m),
          })
          .catch(() => {}),
      ),
    );
  }

  track(id: string | number, members: readonly Member[]): Inflight & { done(): void } {
    const key = idKey(id);
    const entry = { members, abort: new AbortController() };
    this.inflight.set(key, entry);
    return { ...entry, done: () => void (this.inflight.get(key) === entry && this.inflight.delete(key)) };
  }
}
