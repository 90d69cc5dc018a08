// Builds our SLIM apps for session tests: a shared-secret identity per app, on any Link.
import { pino } from 'pino';
import { SharedSecretIdentity } from '../../src/slim/auth/index.js';
import type { Clock } from '../../src/slim/auth/index.js';
import type { Link } from '../../src/slim/dataplane/link.js';
import { parseName } from '../../src/slim/dataplane/name.js';
import { createMlsClient } from '../../src/slim/mls/index.js';
import type { MlsClient } from '../../src/slim/mls/types.js';
import { createSlimApp } from '../../src/slim/session/index.js';
import type { SessionClock, SlimApp, SlimAppOptions } from '../../src/slim/session/index.js';

export const SECRET = 'a-very-long-shared-secret-0123456789abcdef';

export interface AppSpec {
  name: string;
  link: Link;
  secret?: string;
  clock?: SessionClock;
  /** MLS for the app: true = our MLS layer, or a factory. */
  mls?: boolean | ((identity: SharedSecretIdentity) => MlsClient | Promise<MlsClient>);
  heartbeatIntervalMs?: number;
  acceptPolicy?: SlimAppOptions['acceptPolicy'];
}

export async function makeApp(spec: AppSpec): Promise<SlimApp & { identity: SharedSecretIdentity }> {
  const clock: Clock | undefined = spec.clock ? () => spec.clock!.now() : undefined;
  const identity = new SharedSecretIdentity({ baseName: spec.name, secret: spec.secret ?? SECRET, clock });
  const app = await createSlimApp({
    name: parseName(spec.name),
    link: spec.link,
    identity,
    mls: mlsFactory(spec.mls, identity),
    clock: spec.clock,
    heartbeatIntervalMs: spec.heartbeatIntervalMs,
    acceptPolicy: spec.acceptPolicy,
    logger: process.env['SESSION_DEBUG']
      ? pino({ level: process.env['SESSION_DEBUG'] }, pino.destination({ dest: 2, sync: false }))
      : undefined,
  });
  return Object.assign(app, { identity });
}

/** The first incoming session of an app (with a hang guard). */
export async function nextIncoming(app: SlimApp, timeoutMs = 20_000) {
  const it = app.incoming()[Symbol.asyncIterator]();
  const r = await withTimeout(it.next(), timeoutMs, 'incoming session');
  if (r.done) throw new Error('app closed before a session arrived');
  return r.value;
}

/** Reads `n` messages from a session (with a hang guard). */
export async function take(
  iter: AsyncIterator<{ payload: Uint8Array }>,
  n: number,
  timeoutMs = 30_000,
): Promise<string[]> {
  const out: string[] = [];
  while (out.length < n) {
    const r = await withTimeout(iter.next(), timeoutMs, `message ${out.length + 1}/${n}`);
    if (r.done) throw new Error(`session ended after ${out.length} of ${n} messages`);
    out.push(Buffer.from(r.value.payload).toString());
  }
  return out;
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  const guard = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([p, guard]).finally(() => clearTimeout(t));
}

function mlsFactory(spec: AppSpec['mls'], identity: SharedSecretIdentity) {
  if (spec === undefined || spec === false) return undefined;
  if (spec === true) return () => createMlsClient({ identity, verifier: identity });
  return () => spec(identity);
}
