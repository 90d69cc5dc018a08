// Session-level interop fixtures: a SLIM node (ours or the reference's) with our apps and scripted
// reference apps attached, and the reference-side scripts (test/fixtures/reference/peer.mjs runs
// them in the reference's process). Reference scripts keep their sessions in `objects` under a
// tag so one reference process can take part in several scenarios in a row.
import { GrpcLink } from '../../src/slim/dataplane/grpc-link.js';
import type { Link } from '../../src/slim/dataplane/link.js';
import { SlimNode } from '../../src/slim/node/index.js';
import { ReferencePeer, startReferenceNode } from './reference.js';
import { connectReferenceApp } from './reference-apps.js';

export type NodeKind = 'ours' | 'reference';

export interface NodeFixture {
  kind: NodeKind;
  endpoint: string;
  /** A link for one of our apps (in-process to our node, gRPC to the reference node). */
  link(): Link;
  close(): Promise<void>;
}

export async function startNode(kind: NodeKind): Promise<NodeFixture> {
  if (kind === 'ours') {
    const node = await SlimNode.create({ listen: '127.0.0.1:0' });
    return { kind, endpoint: node.endpoint!, link: () => node.connectInProcess(), close: () => node.close() };
  }
  const ref = await startReferenceNode();
  return {
    kind,
    endpoint: ref.endpoint,
    link: () => new GrpcLink({ endpoint: ref.endpoint }),
    close: () => ref.peer.stop(),
  };
}

/** A reference app `org/ns/<name>` in its own process, connected to the node. */
export async function referenceApp(node: NodeFixture, name: string): Promise<ReferencePeer> {
  const peer = await ReferencePeer.start({ label: name });
  await connectReferenceApp(peer, name, node.endpoint);
  return peer;
}

/** Reference SessionConfig: `mls`, reliability (maxRetries + interval) when `reliable`. */
const CONFIG = `
  const cfgOf = (type, mls, reliable) => {
    const c = { sessionType: type, metadata: new Map() };
    if (reliable) { c.maxRetries = 5; c.interval = 1000; }
    if (mls) c.mlsSettings = s.MlsSettings.create({ headerIntegrityValidationPercent: 100 });
    return s.SessionConfig.create(c);
  };`;

/** Invitee: takes the next session, answers each of `n` messages with 're:' + text (publishTo). */
export const REF_P2P_ECHO = `
  const sess = await objects.get('app').listenForSessionAsync(60000);
  objects.set('sess:' + args.tag, sess);
  const got = [];
  for (let i = 0; i < args.n; i++) {
    const m = await sess.getMessageAsync(60000);
    const text = td.decode(m.payload);
    got.push(text);
    await sess.publishToAsync(m.context, te.encode('re:' + text).buffer, undefined, undefined);
  }
  return got;`;

/** Initiator: p2p session to args.target, n messages, n replies read, then closes the session. */
export const REF_P2P_INITIATE = `${CONFIG}
  const target = new s.Name('org', 'ns', args.target);
  await objects.get('app').setRouteAsync(target, objects.get('conn'));
  const sess = await objects.get('app').createSessionAndWaitAsync(
    cfgOf(s.SessionType.PointToPoint, args.mls, args.reliable), target);
  const got = [];
  const reader = (async () => {
    for (let i = 0; i < args.n; i++) got.push(td.decode((await sess.getMessageAsync(60000)).payload));
  })();
  for (let i = 0; i < args.n; i++) await sess.publishAsync(te.encode('m' + i).buffer, undefined, undefined);
  await reader;
  await (await sess.closeAsync()).waitForAsync(15000).catch(() => undefined);
  return got;`;

/**
 * Group member (invitee): takes the next session and collects messages in the background, emitting
 * {event:'got', who, text}; returns at once. \`REF_SAY\` publishes to the group, \`REF_STOP\` ends it.
 */
export const REF_GROUP_MEMBER = `
  const sess = await objects.get('app').listenForSessionAsync(60000);
  objects.set('sess:' + args.tag, sess);
  objects.set('stop:' + args.tag, false);
  (async () => {
    for (;;) {
      try {
        const m = await sess.getMessageAsync(1000);
        objects.set('last:' + args.tag, m.context);
        emit('got', { who: args.me, tag: args.tag, text: td.decode(m.payload) });
      } catch (e) {
        if (objects.get('stop:' + args.tag)) return;
        await sleep(50);
      }
    }
  })();
  return true;`;

/** Moderator: creates a group on org/ns/<channel> and collects its messages like a member. */
export const REF_GROUP_CREATE = `${CONFIG}
  const app = objects.get('app');
  const sess = await app.createSessionAndWaitAsync(cfgOf(s.SessionType.Group, args.mls, true),
    new s.Name('org', 'ns', args.channel));
  objects.set('sess:' + args.tag, sess);
  objects.set('stop:' + args.tag, false);
  (async () => {
    for (;;) {
      try {
        const m = await sess.getMessageAsync(1000);
        objects.set('last:' + args.tag, m.context);
        emit('got', { who: args.me, tag: args.tag, text: td.decode(m.payload) });
      } catch (e) {
        if (objects.get('stop:' + args.tag)) return;
        await sleep(50);
      }
    }
  })();
  return true;`;

export const REF_INVITE = `
  const name = new s.Name('org', 'ns', args.name);
  await objects.get('app').setRouteAsync(name, objects.get('conn'));
  await objects.get('sess:' + args.tag).inviteAndWaitAsync(name);
  return true;`;

export const REF_REMOVE = `
  await objects.get('sess:' + args.tag).removeAndWaitAsync(new s.Name('org', 'ns', args.name));
  return true;`;

export const REF_SAY = `
  await objects.get('sess:' + args.tag).publishAndWaitAsync(te.encode(args.text).buffer, undefined, undefined);
  return true;`;

/** Answers the sender of the last message received, alone (publish_to). */
export const REF_REPLY_TO_LAST = `
  await objects.get('sess:' + args.tag)
    .publishToAndWaitAsync(objects.get('last:' + args.tag), te.encode(args.text).buffer, undefined, undefined);
  return true;`;

/** The session's members as the reference sees them: "app:status" (app = third component). */
export const REF_PARTICIPANTS = `
  const list = await objects.get('sess:' + args.tag).participantsListAsync();
  return list.map((p) => p.name.components()[2] + ':' + String(p.status)).sort();`;

/** Leaves (a participant) or closes (the moderator) the session. */
export const REF_CLOSE = `
  const h = await objects.get('sess:' + args.tag).closeAsync();
  await h.waitForAsync(30000).catch(() => undefined);
  objects.set('stop:' + args.tag, true);
  return true;`;

export const REF_STOP = `objects.set('stop:' + args.tag, true); return true;`;

/** Resolves when the reference process reported `text` received in session `tag`. */
export function refGot(peer: ReferencePeer, tag: string, text: string, timeoutMs = 60_000) {
  return peer.waitForEvent((e) => e.event === 'got' && e['tag'] === tag && e['text'] === text, timeoutMs);
}

/** Every text the reference process reported for `tag` so far. */
export function refTexts(peer: ReferencePeer, tag: string): string[] {
  return peer
    .eventsSeen()
    .filter((e) => e.event === 'got' && e['tag'] === tag)
    .map((e) => String(e['text']));
}
