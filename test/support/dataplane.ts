// Test helpers for the data plane: hand-built Publish frames (the session layer is not needed to
// exercise routing) and an inbox that collects what a Link receives, with bounded waits.
import { newMessage } from '../../src/slim/proto/index.js';
import type { Message } from '../../src/slim/proto/index.js';
import type { Link } from '../../src/slim/dataplane/link.js';
import type { SlimName } from '../../src/slim/dataplane/name.js';
import { toProtoName } from '../../src/slim/dataplane/name.js';

export function publishFrame(from: SlimName, to: SlimName, text: string, fanout = 1): Message {
  return newMessage({
    messageType: {
      case: 'publish',
      value: {
        header: { source: toProtoName(from), destination: toProtoName(to), fanout },
        session: { sessionType: 1, sessionMessageType: 1, sessionId: 1, messageId: 1 },
        msg: {
          contentType: {
            case: 'appPayload',
            value: { payloadType: 'msg', blob: new TextEncoder().encode(text) },
          },
        },
      },
    },
  });
}

export function textOf(msg: Message): string {
  if (msg.messageType.case !== 'publish') return '';
  const c = msg.messageType.value.msg?.contentType;
  return c?.case === 'appPayload' ? new TextDecoder().decode(c.value.blob) : '';
}

/** Collects the texts a link receives. */
export class Inbox {
  readonly texts: string[] = [];
  readonly frames: Message[] = [];
  private waiters: (() => void)[] = [];

  constructor(link: Link) {
    link.onmessage = (m) => {
      this.frames.push(m);
      this.texts.push(textOf(m));
      for (const w of this.waiters.splice(0)) w();
    };
  }

  /** Waits until `pred` holds (a hang guard, not a timing assertion). */
  async until(pred: (texts: string[]) => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.texts)) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out waiting for ${what}; have ${JSON.stringify(this.texts.slice(-10))}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  has(text: string): boolean {
    return this.texts.includes(text);
  }
}

/** Waits for a link to report `state` (hang guard). */
export function waitForState(link: Link, state: Link['state'], timeoutMs = 30_000): Promise<void> {
  if (link.state === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const prev = link.onstatechange;
    const t = setTimeout(() => {
      link.onstatechange = prev;
      reject(new Error(`link did not become ${state} within ${timeoutMs} ms (is ${link.state})`));
    }, timeoutMs);
    link.onstatechange = (s, e) => {
      prev?.(s, e);
      if (s === state) {
        clearTimeout(t);
        link.onstatechange = prev;
        resolve();
      }
    };
  });
}

/** Sends probes until `inbox` sees one (routes may take a moment to come back); returns how many were sent. */
export async function probeUntilDelivered(
  send: (text: string) => Promise<void>,
  inbox: Inbox,
  prefix: string,
  timeoutMs = 30_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; ; i++) {
    const text = `${prefix}-${i}`;
    await send(text).catch(() => {});
    try {
      await inbox.until((t) => t.some((x) => x.startsWith(`${prefix}-`)), text, 300);
      return i + 1;
    } catch {
      if (Date.now() > deadline) throw new Error(`no ${prefix} probe delivered within ${timeoutMs} ms`);
    }
  }
}
