// Session frames against the captures: our apps replay the captured scenarios (p2p without MLS
// on core 2.2.0; a group with MLS) on an in-memory fabric, and the first frame of each type each
// role sends must have the same shape as the reference's, field for field: the same fields
// present, the same enums, fanouts, timer settings, roster entries, metadata keys and commit ids.
// Only what cannot match is abstracted: tokens, signatures, ids, MLS and payload bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toJson } from '@bufbuild/protobuf';
import type { JsonValue } from '@bufbuild/protobuf';
import { parseName } from '../../src/slim/dataplane/name.js';
import { PublishSchema, SessionMessageType, decodeMessage } from '../../src/slim/proto/index.js';
import type { Message } from '../../src/slim/proto/index.js';
import type { Session } from '../../src/slim/session/index.js';
import { MemoryFabric } from '../support/memory-fabric.js';
import type { MemoryLink } from '../support/memory-fabric.js';
import { vectorsDir } from '../support/paths.js';
import { makeApp, nextIncoming, take } from '../support/session-apps.js';

type Shapes = Map<string, JsonValue>;

const VOLATILE_BYTES = new Set(['keyPackage', 'mlsContent', 'blob', 'e2eHeaderSig']);
const NODE_FIELDS = new Set(['headerMac', 'ttl', 'version', 'incomingConn', 'recvFrom', 'forwardTo']);

/** The publish as JSON with what legitimately differs between runs abstracted. */
function shape(msg: Message): JsonValue {
  if (msg.messageType.case !== 'publish') return null;
  const walk = (v: JsonValue, key: string): JsonValue => {
    if (Array.isArray(v)) {
      const items = v.map((x) => walk(x, key));
      return key === 'participants' ? items.map((x) => JSON.stringify(x)).sort() : items;
    }
    if (v && typeof v === 'object') {
      const out: Record<string, JsonValue> = {};
      for (const [k, x] of Object.entries(v)) if (!NODE_FIELDS.has(k)) out[k] = walk(x, k);
      return out;
    }
    if (key === 'identity') return typeof v === 'string' && v.split(':').length === 5 ? '<token>' : v;
    if (VOLATILE_BYTES.has(key)) return (v as string).length > 0 ? '<bytes>' : '';
    if (key === 'sessionId' || key === 'messageId') return '<id>';
    if (key === 'id0' || key === 'id1') return v === '18446744073709551615' ? 'NULL' : '<id>';
    return v;
  };
  const json = walk(toJson(PublishSchema, msg.messageType.value), '') as Record<string, JsonValue>;
  return { ...json, metadataKeys: Object.keys(msg.metadata).sort() };
}

/** "TYPE -> destination app": who a frame goes to decides much of its shape. */
function typeOf(msg: Message): string {
  if (msg.messageType.case !== 'publish') return '';
  const p = msg.messageType.value;
  return `${SessionMessageType[p.session!.sessionMessageType]} -> ${p.header!.destination!.strName!.strComponent2}`;
}

/** First frame of each type sent by each app in a capture (c2s), keyed "app TYPE". */
function capturedShapes(file: string): Shapes {
  const shapes: Shapes = new Map();
  for (const line of readFileSync(join(vectorsDir(), file), 'utf8').split('\n').filter(Boolean)) {
    const rec = JSON.parse(line) as { kind?: string; dir?: string; hex?: string };
    if (rec.kind !== 'frame' || rec.dir !== 'c2s' || !rec.hex) continue;
    const msg = decodeMessage(Buffer.from(rec.hex, 'hex'));
    if (msg.messageType.case !== 'publish') continue;
    const app = msg.messageType.value.header!.source!.strName!.strComponent2;
    const key = `${app} ${typeOf(msg)}`;
    if (!shapes.has(key)) shapes.set(key, shape(msg));
  }
  return shapes;
}

function ourShapes(links: Record<string, MemoryLink>): Shapes {
  const shapes: Shapes = new Map();
  for (const [app, link] of Object.entries(links)) {
    for (const msg of link.sent) {
      const key = `${app} ${typeOf(msg)}`;
      if (!shapes.has(key)) shapes.set(key, shape(msg));
    }
  }
  return shapes;
}

function compare(ours: Shapes, theirs: Shapes): void {
  assert.ok(theirs.size > 5, 'the capture has frames');
  for (const [key, expected] of theirs) {
    assert.ok(ours.has(key), `we never sent "${key}"`);
    assert.deepEqual(ours.get(key), expected, `shape of "${key}"`);
  }
}

test('p2p frames (no MLS, reliability 5 x 1000 ms) are shaped like core 2.2.0 captures', async (t) => {
  const fabric = new MemoryFabric();
  const links = { alice: fabric.link('alice'), bob: fabric.link('bob') };
  for (const l of Object.values(links)) l.recordSent = true;
  const alice = await makeApp({ name: 'org/ns/alice', link: links.alice });
  const bob = await makeApp({ name: 'org/ns/bob', link: links.bob });
  t.after(() => Promise.all([alice.close(), bob.close()]));
  const incoming = nextIncoming(bob);
  const sa = await alice.createSession(parseName('org/ns/bob'), {
    kind: 'p2p',
    mls: false,
    reliable: true,
    maxRetries: 5,
    intervalMs: 1000,
  });
  const sb = await incoming;
  const ia = sa.messages()[Symbol.asyncIterator]();
  const ib = sb.messages()[Symbol.asyncIterator]();
  for (let i = 0; i < 3; i++) {
    await sa.publish(Buffer.from(`hi${i}`));
    const [m] = await take(ib, 1);
    await sb.publish(Buffer.from(`echo:${m}`));
    await take(ia, 1);
  }
  compare(ourShapes(links), capturedShapes('p2p-alice-bob-core2.2.0.jsonl'));
});

test('group frames with MLS (moderator, two participants, close) are shaped like the captures', async (t) => {
  const fabric = new MemoryFabric();
  const links = { mod: fabric.link('mod'), p1: fabric.link('p1'), p2: fabric.link('p2') };
  for (const l of Object.values(links)) l.recordSent = true;
  const apps = await Promise.all(
    Object.entries(links).map(([n, link]) => makeApp({ name: `org/ns/${n}`, link, mls: true })),
  );
  const [mod, p1, p2] = apps as [(typeof apps)[0], (typeof apps)[0], (typeof apps)[0]];
  t.after(() => Promise.all(apps.map((a) => a.close())));
  const group = await mod.createSession(parseName('org/ns/chat'), {
    kind: 'group',
    mls: true,
    maxRetries: 5,
    intervalMs: 1000,
  });
  const joins = [nextIncoming(p1), nextIncoming(p2)];
  await group.invite(parseName('org/ns/p1'));
  await group.invite(parseName('org/ns/p2'));
  const members = (await Promise.all(joins)) as Session[];
  const its = members.map((s) => s.messages()[Symbol.asyncIterator]());
  for (let i = 0; i < 3; i++) {
    await group.publish(Buffer.from(`group-msg ${i}`));
    for (const it of its) await take(it, 1);
    for (const [k, s] of members.entries()) await s.publish(Buffer.from(`p${k + 1} ack group-msg ${i}`));
  }
  await take(group.messages()[Symbol.asyncIterator](), 6);
  await group.close();
  compare(ourShapes(links), capturedShapes('group-mls-mod-p1-p2.jsonl'));
});
