// Reference SLIMRPC peers for interop tests, scripted in reference processes
// (test/fixtures/reference/peer.mjs): a reference `Server` with raw-bytes handlers for the
// `test.Contract` service (spec/slimrpc-a2a-mcp.md §4), and a reference `Channel` whose calls the
// tests issue one at a time (the reference Node client hangs when many calls start in one tick,
// §1.10). Errors come back as `{ code, message }` so tests can check both.
import { ReferencePeer } from './reference.js';
import { SHARED_SECRET } from './reference-apps.js';
import { REF_CREATE_APP } from './reference-jwt.js';
import type { RefJwtArgs } from './reference-jwt.js';

/** Starts a reference SLIMRPC server `org/ns/<name>` connected to `endpoint`. `label` tags answers. */
export async function referenceRpcServer(
  name: string,
  endpoint: string,
  label = 'ref',
  jwt?: RefJwtArgs,
): Promise<ReferencePeer> {
  const peer = await ReferencePeer.start({ label: name });
  await peer.run(
    `const me = new s.Name('org', 'ns', args.name);
     const app = ${REF_CREATE_APP};
     const conn = await svc.connectAsync(s.newInsecureClientConfig(args.endpoint));
     const server = s.Server.newWithConnection(app, me, conn);
     const text = (b) => td.decode(new Uint8Array(b));
     const bytes = (t) => te.encode(t).buffer;
     const fail = (code, message) => new s.RpcError.Rpc({ code, message });
     const svcName = 'test.Contract';
     server.registerUnaryUnary(svcName, 'Echo', { handle: async (req, ctx) =>
       bytes((ctx.metadata().get('who') ?? '') + ':' + text(req)) });
     server.registerUnaryUnary(svcName, 'Who', { handle: async (req) => bytes(args.label + ':' + text(req)) });
     server.registerUnaryUnary(svcName, 'Meta', { handle: async (req, ctx) =>
       bytes(JSON.stringify(Object.fromEntries(ctx.metadata()))) });
     server.registerUnaryUnary(svcName, 'Empty', { handle: async () => new ArrayBuffer(0) });
     server.registerUnaryUnary(svcName, 'Fail', { handle: async () => { throw fail(s.RpcCode.NotFound, 'TaskNotFoundError: t1'); } });
     server.registerUnaryUnary(svcName, 'Slow', { handle: async (req, ctx, opts) =>
       new Promise((_, reject) => opts?.signal?.addEventListener('abort', () => reject(fail(s.RpcCode.Cancelled, 'aborted')))) });
     server.registerUnaryStream(svcName, 'Count', { handle: async (req, ctx, sink) => {
       const n = Number(text(req));
       for (let i = 0; i < n; i++) await sink.sendAsync(bytes(String(i)));
       await sink.closeAsync();
     } });
     server.registerStreamUnary(svcName, 'Sum', { handle: async (stream, ctx) => {
       let sum = 0;
       for (;;) {
         const m = await stream.nextAsync();
         if (m.tag === 'Data') sum += Number(text(m.inner[0]));
         else if (m.tag === 'Error') throw m.inner[0];
         else break;
       }
       return bytes(String(sum));
     } });
     server.registerStreamStream(svcName, 'Upper', { handle: async (stream, ctx, sink) => {
       for (;;) {
         const m = await stream.nextAsync();
         if (m.tag === 'Data') await sink.sendAsync(bytes(text(m.inner[0]).toUpperCase()));
         else if (m.tag === 'Error') { await sink.sendErrorAsync(m.inner[0]); return; }
         else break;
       }
       await sink.closeAsync();
     } });
     objects.set('app', app); objects.set('conn', conn); objects.set('server', server);
     server.serveAsync().catch((e) => emit('serveFailed', { error: String(e) }));
     return true;`,
    { name, secret: SHARED_SECRET, endpoint, label, ...(jwt ? { jwt } : {}) },
  );
  return peer;
}

/** Starts a reference app `org/ns/<name>` with a SLIMRPC `Channel` to `org/ns/<target>`. */
export async function referenceRpcClient(
  name: string,
  endpoint: string,
  target: string,
  jwt?: RefJwtArgs,
): Promise<ReferencePeer> {
  const peer = await ReferencePeer.start({ label: name });
  await peer.run(
    `const me = new s.Name('org', 'ns', args.name);
     const app = ${REF_CREATE_APP};
     const conn = await svc.connectAsync(s.newInsecureClientConfig(args.endpoint));
     await app.subscribeAsync(me, conn);
     const ch = s.Channel.newWithConnection(app, new s.Name('org', 'ns', args.target), conn);
     objects.set('app', app); objects.set('conn', conn); objects.set('ch', ch);
     return true;`,
    { name, secret: SHARED_SECRET, endpoint, target, ...(jwt ? { jwt } : {}) },
  );
  return peer;
}

export type RefResult<T> = { ok: true; value: T } | { ok: false; code: number; message: string };

/** Shared prologue of client calls: argument helpers and the error shape. */
const PROLOGUE = `
  const ch = objects.get('ch');
  const text = (b) => td.decode(new Uint8Array(b));
  const bytes = (t) => te.encode(t).buffer;
  const md = new Map(Object.entries(args.metadata ?? {}));
  const timeout = args.timeoutMs ?? undefined;
  const failure = (e) => {
    const inner = e?.inner ?? {};
    return { ok: false, code: Number(inner.code ?? -1), message: String(inner.message ?? e) };
  };
  const drain = async (reader) => {
    const out = [];
    for (;;) {
      const m = await reader.nextAsync();
      if (m.tag === 'Data') out.push(text(m.inner[0]));
      else if (m.tag === 'Error') throw m.inner[0];
      else return out;
    }
  };`;

export interface RefCallArgs {
  method: string;
  text?: string;
  items?: string[];
  metadata?: Record<string, string>;
  timeoutMs?: number;
}

/** Reference unary call; the response as text. */
export function refUnary(peer: ReferencePeer, a: RefCallArgs): Promise<RefResult<string>> {
  return peer.run(
    `${PROLOGUE}
     try {
       const r = await ch.callUnaryAsync('test.Contract', args.method, bytes(args.text ?? ''), timeout, md);
       return { ok: true, value: text(r) };
     } catch (e) { return failure(e); }`,
    { ...a },
    60_000,
  );
}

/** Reference unary-stream call; every response as text. */
export function refServerStream(peer: ReferencePeer, a: RefCallArgs): Promise<RefResult<string[]>> {
  return peer.run(
    `${PROLOGUE}
     try {
       const reader = await ch.callUnaryStreamAsync('test.Contract', args.method, bytes(args.text ?? ''), timeout, md);
       return { ok: true, value: await drain(reader) };
     } catch (e) { return failure(e); }`,
    { ...a },
    60_000,
  );
}

/** Reference stream-unary call. */
export function refClientStream(peer: ReferencePeer, a: RefCallArgs): Promise<RefResult<string>> {
  return peer.run(
    `${PROLOGUE}
     try {
       const w = ch.callStreamUnary('test.Contract', args.method, timeout, md);
       for (const i of args.items ?? []) await w.sendAsync(bytes(i));
       return { ok: true, value: text(await w.finalizeStreamAsync()) };
     } catch (e) { return failure(e); }`,
    { ...a },
    60_000,
  );
}

/** Reference stream-stream call: sends every item, then reads every response. */
export function refBidi(peer: ReferencePeer, a: RefCallArgs): Promise<RefResult<string[]>> {
  return peer.run(
    `${PROLOGUE}
     try {
       const h = ch.callStreamStream('test.Contract', args.method, timeout, md);
       for (const i of args.items ?? []) await h.sendAsync(bytes(i));
       await h.closeSendAsync();
       const out = [];
       for (;;) {
         const m = await h.recvAsync();
         if (m.tag === 'Data') out.push(text(m.inner[0]));
         else if (m.tag === 'Error') throw m.inner[0];
         else break;
       }
       return { ok: true, value: out };
     } catch (e) { return failure(e); }`,
    { ...a },
    60_000,
  );
}
