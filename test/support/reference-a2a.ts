// Reference A2A SLIMRPC peers for interop tests, in reference processes (test/fixtures/reference):
// an A2A agent served by the reference `Server` (a2a-agent.mjs: protobuf handlers for one A2A
// service version), and raw-bytes calls through a reference `Channel` (referenceRpcClient in
// reference-rpc.ts), whose requests the tests encode and whose answers they decode themselves.
// Bytes cross the process boundary as base64.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ReferencePeer } from './reference.js';
import { SHARED_SECRET } from './reference-apps.js';
import type { RefResult } from './reference-rpc.js';
import { REPO_ROOT } from './paths.js';

const AGENT_FIXTURE = pathToFileURL(join(REPO_ROOT, 'test', 'fixtures', 'reference', 'a2a-agent.mjs')).href;

/** Starts a reference A2A agent `org/ns/<name>` serving A2A `version` over SLIMRPC. */
export async function referenceA2aAgent(
  name: string,
  endpoint: string,
  version: '1.0' | '0.3',
): Promise<ReferencePeer> {
  const peer = await ReferencePeer.start({ label: name });
  await peer.run(
    `const m = await import(args.fixture);
     return m.serveA2aAgent({ s, svc, objects, args });`,
    { fixture: AGENT_FIXTURE, name, endpoint, version, secret: SHARED_SECRET },
  );
  return peer;
}

export interface RecordedCall {
  method: string;
  metadata: Record<string, string>;
}

/** The calls the reference agent has served so far (method and metadata). */
export function agentCalls(peer: ReferencePeer): Promise<RecordedCall[]> {
  return peer.run(`return objects.get('a2a:calls');`);
}

/** Lets a lockstep stream of the reference agent send its event `k`. */
export function releaseEvent(peer: ReferencePeer, k: number): Promise<void> {
  return peer.run(`objects.get('a2a:release')(args.k);`, { k });
}

const PROLOGUE = `
  const ch = objects.get('ch');
  const req = Uint8Array.from(Buffer.from(args.request, 'base64')).buffer;
  const b64 = (b) => Buffer.from(new Uint8Array(b)).toString('base64');
  const md = new Map(Object.entries(args.metadata ?? {}));
  const failure = (e) => {
    const inner = e?.inner ?? {};
    return { ok: false, code: Number(inner.code ?? -1), message: String(inner.message ?? e) };
  };`;

export interface RefBytesCall {
  service: string;
  method: string;
  request: Uint8Array;
  metadata?: Record<string, string>;
  timeoutMs?: number;
}

const wire = (a: RefBytesCall) => ({
  service: a.service,
  method: a.method,
  request: Buffer.from(a.request).toString('base64'),
  metadata: a.metadata ?? {},
  timeoutMs: a.timeoutMs ?? 30_000,
});

const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

/** A unary call through the reference client's `Channel` (referenceRpcClient). */
export async function refUnaryBytes(peer: ReferencePeer, a: RefBytesCall): Promise<RefResult<Uint8Array>> {
  const r = await peer.run<RefResult<string>>(
    `${PROLOGUE}
     try {
       return { ok: true, value: b64(await ch.callUnaryAsync(args.service, args.method, req, args.timeoutMs, md)) };
     } catch (e) { return failure(e); }`,
    wire(a),
    60_000,
  );
  return r.ok ? { ok: true, value: unb64(r.value) } : r;
}

/** A unary-stream call through the reference client's `Channel`; every response message. */
export async function refStreamBytes(peer: ReferencePeer, a: RefBytesCall): Promise<RefResult<Uint8Array[]>> {
  const r = await peer.run<RefResult<string[]>>(
    `${PROLOGUE}
     try {
       const reader = await ch.callUnaryStreamAsync(args.service, args.method, req, args.timeoutMs, md);
       const out = [];
       for (;;) {
         const m = await reader.nextAsync();
         if (m.tag === 'Data') out.push(b64(m.inner[0]));
         else if (m.tag === 'Error') throw m.inner[0];
         else return { ok: true, value: out };
       }
     } catch (e) { return failure(e); }`,
    wire(a),
    60_000,
  );
  return r.ok ? { ok: true, value: r.value.map(unb64) } : r;
}
