// A Link wrapper for fault and security tests on a real node: it records every frame the app
// hands to the node and every frame the node delivers to the app (as bytes), and lets a test drop
// or rewrite frames in transit in either direction.
import type { Link, LinkState, SubscribeOptions } from '../../src/slim/dataplane/link.js';
import type { SlimName } from '../../src/slim/dataplane/name.js';
import { decodeMessage, encodeMessage } from '../../src/slim/proto/index.js';
import type { Message } from '../../src/slim/proto/index.js';

/** Return the frame (possibly changed) to pass it on, null to drop it, or frames to send instead. */
export type Tamper = (msg: Message) => Message | Message[] | null;

export class TapLink implements Link {
  onmessage: ((msg: Message) => void) | undefined;
  onstatechange: ((state: LinkState, error?: Error) => void) | undefined;
  /** Frames handed to the node, then frames the node delivered, as bytes. */
  readonly toNode: Uint8Array[] = [];
  readonly fromNode: Uint8Array[] = [];
  outbound: Tamper | undefined;
  inbound: Tamper | undefined;

  constructor(private readonly inner: Link) {
    inner.onmessage = (msg) => {
      this.fromNode.push(encodeMessage(msg));
      const m = this.inbound ? this.inbound(msg) : msg;
      for (const x of m === null ? [] : Array.isArray(m) ? m : [m]) this.onmessage?.(x);
    };
    inner.onstatechange = (s, e) => this.onstatechange?.(s, e);
  }

  get state(): LinkState {
    return this.inner.state;
  }

  start(signal?: AbortSignal): Promise<void> {
    return this.inner.start(signal);
  }

  async publish(msg: Message): Promise<void> {
    // Sealed by now: what goes to the node from here on is what the node sees.
    const copy = decodeMessage(encodeMessage(msg));
    const m = this.outbound ? this.outbound(copy) : copy;
    for (const x of m === null ? [] : Array.isArray(m) ? m : [m]) {
      this.toNode.push(encodeMessage(x));
      await this.inner.publish(x);
    }
  }

  subscribe(name: SlimName, options: SubscribeOptions): Promise<void> {
    return this.inner.subscribe(name, options);
  }

  unsubscribe(name: SlimName, options: SubscribeOptions): Promise<void> {
    return this.inner.unsubscribe(name, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  closed(): Promise<void> {
    return this.inner.closed();
  }
}
