// Names in the hand-written Publish decoder (publish-decode.ts): a Name read from its bytes as
// fromBinary builds it (encoded components with an optional id, or string components), and a
// bounded cache of decoded Names by their bytes, since the same few names head every frame.
// Invariant: every read returns fresh objects (copied from a checked template), so a caller may
// change what it gets without touching the cache.
import type { Name } from './gen/slim/dataplane/v1/data_plane_pb.js';
import { UNSUPPORTED, expect, once } from './publish-reader.js';
import type { FastSlices, Reader } from './publish-reader.js';

/** The type-name prefix of every dataplane message (protobuf-es's $typeName). */
export const T = 'dataplane.proto.v1.';

// $typeName values, built once (a template literal here would build the string per message).
const TYPE_NAME = `${T}Name`;
const TYPE_ENCODED_NAME = `${T}EncodedName`;
const TYPE_NAME_ID = `${T}NameId`;
const TYPE_STRING_NAME = `${T}StringName`;

/**
 * Decoded Names by their bytes: the same few names head every frame, and decoding one (six
 * 64-bit varints, three strings) is most of a header. Each read gets its own objects, copied from
 * a template that was checked when first decoded.
 */
const nameCache = new Map<string, Name>();
const NAME_CACHE_SIZE = 4096;

function copyName(t: Name): Name {
  const n = { $typeName: TYPE_NAME } as Name;
  const e = t.name;
  if (e) {
    n.name = {
      $typeName: TYPE_ENCODED_NAME,
      component0: e.component0,
      component1: e.component1,
      component2: e.component2,
    } as NonNullable<Name['name']>;
    if (e.nameId) n.name.nameId = { ...e.nameId };
  }
  if (t.strName) n.strName = { ...t.strName };
  return n;
}

export function readName(r: Reader): Name {
  const key = (r.view as unknown as FastSlices).latin1Slice(r.pos, r.end);
  const cached = nameCache.get(key);
  if (cached) return copyName(cached);
  const n = decodeName(r);
  if (nameCache.size >= NAME_CACHE_SIZE) nameCache.clear();
  nameCache.set(key, copyName(n));
  return n;
}

function decodeName(r: Reader): Name {
  const n = { $typeName: TYPE_NAME } as Name;
  let seen = 0;
  while (r.pos < r.end) {
    const f = expect(r.tag(), 2);
    seen = once(seen, f);
    const s = r.sub();
    if (f === 1) {
      const e = {
        $typeName: TYPE_ENCODED_NAME,
        component0: 0n,
        component1: 0n,
        component2: 0n,
      } as NonNullable<Name['name']>;
      let es = 0;
      while (s.pos < s.end) {
        const tag = s.tag();
        const ef = tag >>> 3;
        es = once(es, ef);
        if (ef >= 1 && ef <= 3) {
          expect(tag, 0);
          const v = s.u64();
          if (ef === 1) e.component0 = v;
          else if (ef === 2) e.component1 = v;
          else e.component2 = v;
        } else if (ef === 4) {
          expect(tag, 2);
          const ir = s.sub();
          const id = { $typeName: TYPE_NAME_ID, id0: 0n, id1: 0n } as NonNullable<typeof e.nameId>;
          let is = 0;
          while (ir.pos < ir.end) {
            const itf = expect(ir.tag(), 0);
            is = once(is, itf);
            if (itf === 1) id.id0 = ir.u64();
            else if (itf === 2) id.id1 = ir.u64();
            else throw UNSUPPORTED;
          }
          e.nameId = id;
        } else throw UNSUPPORTED;
      }
      n.name = e;
    } else if (f === 2) {
      const t = {
        $typeName: TYPE_STRING_NAME,
        strComponent0: '',
        strComponent1: '',
        strComponent2: '',
      } as NonNullable<Name['strName']>;
      let ts = 0;
      while (s.pos < s.end) {
        const tf = expect(s.tag(), 2);
        ts = once(ts, tf);
        if (tf === 1) t.strComponent0 = s.str();
        else if (tf === 2) t.strComponent1 = s.str();
        else if (tf === 3) t.strComponent2 = s.str();
        else throw UNSUPPORTED;
      }
      n.strName = t;
    } else throw UNSUPPORTED;
  }
  return n;
}
