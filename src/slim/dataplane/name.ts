// SLIM names: three string components (org/namespace/app) plus a 128-bit instance id, where the
// all-ones id (NULL_ID) means "any instance". The wire form carries both the hashed components and
// the strings (docs/dataplane.md#names-and-hashes); the reference node needs the strings on
// Subscribe.
import { create } from '@bufbuild/protobuf';
import { NameSchema } from '../proto/index.js';
import type { Name as ProtoName } from '../proto/index.js';
import { GatewayError } from '../../util/errors.js';
import { componentHash, xxh3_128, xxh3_128Seeded } from './hash.js';

export const U64_MAX = (1n << 64n) - 1n;
/** "Any instance": the all-ones 128-bit id. */
export const NULL_ID = (1n << 128n) - 1n;
/** Ids at or above this value are reserved by the reference. */
const RESERVED_FROM = NULL_ID - 50n;

export interface SlimName {
  readonly org: string;
  readonly namespace: string;
  readonly app: string;
  /** Unsigned 128-bit instance id; NULL_ID when any instance will do. */
  readonly id: bigint;
}

const hashCache = new Map<string, bigint>();

/** The reference's component hash, cached (names repeat on every frame). */
export function hashComponent(component: string): bigint {
  let h = hashCache.get(component);
  if (h === undefined) {
    h = componentHash(component);
    if (hashCache.size > 10_000) hashCache.clear();
    hashCache.set(component, h);
  }
  return h;
}

export function makeName(org: string, namespace: string, app: string, id: bigint = NULL_ID): SlimName {
  if (id < 0n || id > NULL_ID) throw new GatewayError('INVALID_ARGUMENT', 'name id out of the u128 range');
  return Object.freeze({ org, namespace, app, id });
}

const COMPONENT = /^[^/\s:]+$/;

/**
 * Parses `org/namespace/app`, optionally followed by `/<id>` where the id is 32 hex digits
 * (or `NULL`). Throws INVALID_ARGUMENT naming what is wrong.
 */
export function parseName(text: string): SlimName {
  const parts = text.split('/');
  if (parts.length !== 3 && parts.length !== 4) {
    throw new GatewayError('INVALID_ARGUMENT', `SLIM name "${text}" must be org/namespace/app`);
  }
  const [org, namespace, app, idText] = parts as [string, string, string, string | undefined];
  for (const c of [org, namespace, app]) {
    if (!COMPONENT.test(c)) {
      throw new GatewayError(
        'INVALID_ARGUMENT',
        `SLIM name "${text}": each component must be non-empty, without '/', ':' or spaces`,
      );
    }
  }
  let id = NULL_ID;
  if (idText !== undefined && idText !== 'NULL' && idText !== 'NULL_COMPONENT') {
    if (!/^[0-9a-fA-F]{1,32}$/.test(idText)) {
      throw new GatewayError('INVALID_ARGUMENT', `SLIM name "${text}": the id must be up to 32 hex digits`);
    }
    id = BigInt('0x' + idText);
  }
  return makeName(org, namespace, app, id);
}

/** `org/ns/app` for the NULL id, `org/ns/app/<32 hex>` otherwise. */
export function formatName(name: SlimName): string {
  const base = `${name.org}/${name.namespace}/${name.app}`;
  return name.id === NULL_ID ? base : `${base}/${name.id.toString(16).padStart(32, '0')}`;
}

/** `org/ns/app` without the id. */
export function baseName(name: SlimName): string {
  return `${name.org}/${name.namespace}/${name.app}`;
}

export function withId(name: SlimName, id: bigint): SlimName {
  return makeName(name.org, name.namespace, name.app, id);
}

export function withoutId(name: SlimName): SlimName {
  return name.id === NULL_ID ? name : withId(name, NULL_ID);
}

export function sameComponents(a: SlimName, b: SlimName): boolean {
  return a.org === b.org && a.namespace === b.namespace && a.app === b.app;
}

export function sameName(a: SlimName, b: SlimName): boolean {
  return sameComponents(a, b) && a.id === b.id;
}

/** Instance id the reference derives from an identity token id (XXH3-128, reserved ids remapped). */
export function nameIdFromTokenId(tokenId: string): bigint {
  const id = xxh3_128(tokenId);
  return id >= RESERVED_FROM ? id % RESERVED_FROM : id;
}

/**
 * Data and control channel ids of a group session whose moderator has token id `moderatorTokenId`
 * (docs/dataplane.md#names-and-hashes): seed 0, or the next seed (up to 10) on collision.
 */
export function groupChannelIds(
  moderatorTokenId: string,
  channel: SlimName,
): { data: bigint; control: bigint } {
  const base = `${moderatorTokenId}/${channel.org}/${channel.namespace}/${channel.app}`;
  const remap = (id: bigint) => (id >= RESERVED_FROM ? (id % (RESERVED_FROM - 1n)) + 1n : id);
  for (let seed = 0; seed <= 10; seed++) {
    const data = remap(xxh3_128Seeded(`${base}/data`, seed));
    const control = remap(xxh3_128Seeded(`${base}/control`, seed));
    if (data !== control) return { data, control };
  }
  throw new GatewayError('INTERNAL', 'could not derive distinct group channel ids');
}

/** The wire form, with both the hashed and the string components and an explicit id. */
export function toProtoName(name: SlimName): ProtoName {
  return create(NameSchema, {
    name: {
      component0: hashComponent(name.org),
      component1: hashComponent(name.namespace),
      component2: hashComponent(name.app),
      nameId: { id0: name.id >> 64n, id1: name.id & U64_MAX },
    },
    strName: { strComponent0: name.org, strComponent1: name.namespace, strComponent2: name.app },
  });
}

const sharedNames = new WeakMap<SlimName, ProtoName>();

/**
 * toProtoName as one deeply frozen object per SlimName, for frames: names head every frame, and
 * the encoder and the header MAC cache their bytes by object. Read-only: a frame that needs
 * another name gets another object, never an edited one.
 */
export function sharedProtoName(name: SlimName): ProtoName {
  let p = sharedNames.get(name);
  if (p) return p;
  p = toProtoName(name);
  Object.freeze(p.name!.nameId);
  Object.freeze(p.name);
  Object.freeze(p.strName);
  Object.freeze(p);
  if (Object.isFrozen(name)) sharedNames.set(name, p);
  return p;
}

/** Names read from frames, by components and id: the same few arrive on every frame. */
const interned = new Map<string, Map<bigint, SlimName>>();
/** At most this many names are held (ids come from the wire); past it the table starts again. */
const INTERNED_NAMES = 16_384;
let internedCount = 0;

/**
 * Reads a wire Name. The strings are required (a Name without them cannot be turned back into
 * text); a missing id counts as NULL. Equal names read twice give the same (frozen) object, so
 * what is derived from a name (its wire form, its map key) is computed once.
 */
export function fromProtoName(proto: ProtoName | undefined): SlimName {
  const s = proto?.strName;
  if (!proto || !s) throw new GatewayError('PROTOCOL', 'name without its string components');
  const nid = proto.name?.nameId;
  const id = nid ? (nid.id0 << 64n) | nid.id1 : NULL_ID;
  // Lengths first: components may hold '/', and ("a/b","c") must not meet ("a","b/c").
  const c0 = s.strComponent0;
  const c1 = s.strComponent1;
  const prefix = `${c0.length}:${c1.length}:${c0}/${c1}/${s.strComponent2}`;
  let byId = interned.get(prefix);
  const known = byId?.get(id);
  if (known) return known;
  const name = makeName(s.strComponent0, s.strComponent1, s.strComponent2, id);
  if (internedCount >= INTERNED_NAMES) {
    interned.clear();
    internedCount = 0;
    byId = undefined;
  }
  if (!byId) {
    byId = new Map();
    interned.set(prefix, byId);
  }
  byId.set(id, name);
  internedCount++;
  return name;
}

const keys = new WeakMap<SlimName, string>();

/** A map key for a full name (components and id). */
export function nameKey(name: SlimName): string {
  let k = keys.get(name);
  if (k === undefined) {
    k = `${name.org}/${name.namespace}/${name.app}/${name.id.toString(16)}`;
    keys.set(name, k);
  }
  return k;
}
