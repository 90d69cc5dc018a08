// A tiny in-memory stand-in for a SLIM node, for session unit/component tests before (and
// besides) the real node: links subscribe names; a Publish goes to links subscribed to its
// destination (a specific id reaches that id only, the NULL id any instance; fanout 1 picks one
// link, anything else all of them), never back to its sender. Frames cross as bytes (encoded and
// decoded) so nothing is shared; `intercept` can drop or rewrite a frame in transit.
import type { Link, LinkState, SubscribeOptions } from '../../src/slim/dataplane/link.js';
import { NULL_ID, fromProtoName, nameKey, sameComponents } from '../../src/slim/dataplane/name.js';
import type { SlimName } from '../../src/slim/dataplane/name.js';
import { decodeMessage, encodeMessage } from '../../src/slim/proto/index.js';
import type { Message } from '../../src/slim/proto/index.js';
import { GatewayError } from '../../src/util/errors.js';

export type Interceptor = (msg: Message, from: MemoryLink) => Message | null;

export class MemoryFabric {
  private readonly links = new Set<MemoryLink>();
  private rr = 0;
  /** Sees every forwarded frame (encoded); return null to drop it, or a changed message. */
  intercept: Interceptor | undefined;
  /** Every frame forwarded, as bytes (for "the node only sees ciphertext" checks). */
  readonly forwarded: Uint8Array[] = [];
  recordForwarded = false;

  link(label = 'app'): MemoryLink {
    const l = new MemoryLink(this, label);
    this.links.add(l);
    return l;
  }

  detach(link: MemoryLink): void {
    this.links.delete(link);
  }

  route(msg: Message, from: MemoryLink): void {
    if (msg.messageType.case !== 'publish') return;
    const changed = this.intercept ? this.intercept(msg, from) : msg;
    if (!changed) return;
    const bytes = encodeMessage(changed);
    if (this.recordForwarded) this.forwarded.push(bytes);
    const h = changed.messageType.case === 'publish' ? changed.messageType.value.header : undefined;
    let dst: SlimName;
    try {
      dst = fromProtoName(h?.destination);
    } catch {
      return;
    }
    const targets = [...this.links].filter((l) => l !== from && l.matches(dst));
    if (targets.length === 0) return;
    const chosen = (h?.fanout ?? 1) === 1 ? [targets[this.rr++ % targets.length]!] : targets;
    for (const t of chosen) t.receive(bytes);
  }
}

export class MemoryLink implements Link {
  state: LinkState = 'idle';
  onmessage: ((msg: Message) => void) | undefined;
  onstatechange: ((state: LinkState, error?: Error) => void) | undefined;
  private readonly subs = new Map<string, SlimName>();
  private done!: () => void;
  private readonly donePromise = new Promise<void>((r) => (this.done = r));
  /** Frames this link published (decoded copies), for assertions. */
  readonly sent: Message[] = [];
  recordSent = false;

  constructor(
    private readonly fabric: MemoryFabric,
    readonly label: string,
  ) {}

  matches(dst: SlimName): boolean {
    for (const s of this.subs.values()) {
      if (sameComponents(s, dst) && (dst.id === NULL_ID || dst.id === s.id)) return true;
    }
    return false;
  }

  start(): Promise<void> {
    this.state = 'ready';
    return Promise.resolve();
  }

  publish(msg: Message): Promise<void> {
    if (this.state === 'closed') return Promise.reject(new GatewayError('LINK_CLOSED', 'link closed'));
    const copy = decodeMessage(encodeMessage(msg));
    if (this.recordSent) this.sent.push(copy);
    setImmediate(() => this.fabric.route(copy, this));
    return Promise.resolve();
  }

  subscribe(name: SlimName, _options: SubscribeOptions): Promise<void> {
    this.subs.set(nameKey(name), name);
    return Promise.resolve();
  }

  unsubscribe(name: SlimName, _options: SubscribeOptions): Promise<void> {
    this.subs.delete(nameKey(name));
    return Promise.resolve();
  }

  receive(bytes: Uint8Array): void {
    if (this.state === 'closed') return;
    setImmediate(() => this.onmessage?.(decodeMessage(bytes)));
  }

  close(): Promise<void> {
    if (this.state !== 'closed') {
      this.state = 'closed';
      this.fabric.detach(this);
      this.done();
    }
    return Promise.resolve();
  }

  closed(): Promise<void> {
    return this.donePromise;
  }
}
