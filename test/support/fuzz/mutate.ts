// Inputs for the fuzzers (docs/security.md, "Fuzzing"): mutations of real inputs (captured frames,
// JSON-RPC messages, configurations) and structure-aware random ones (protobuf fields with any wire
// type and nesting, JSON values with hostile keys and sizes). Mutations keep most of a valid input,
// so they reach the decoders' deep paths; random structures reach the paths no capture shows.
import type { Random } from './random.js';

const INTERESTING_VARINTS: readonly number[][] = [
  [0x00],
  [0x7f],
  [0x80, 0x01],
  [0xff, 0xff, 0xff, 0xff, 0x0f],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // 11 bytes: too long
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80],
];

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** One to four byte-level changes to a copy of `input`. */
export function mutateBytes(rnd: Random, input: Uint8Array, others: readonly Uint8Array[] = []): Uint8Array {
  let b = Array.from(input);
  const rounds = 1 + rnd.below(4);
  for (let r = 0; r < rounds; r++) {
    const at = rnd.below(b.length + 1);
    switch (rnd.below(9)) {
      case 0: // flip a bit
        if (b.length) b[at % b.length]! ^= 1 << rnd.below(8);
        break;
      case 1: // set a byte
        if (b.length) b[at % b.length] = rnd.pick([0, 0xff, 0x7f, 0x80, rnd.below(256)]);
        break;
      case 2: // insert random bytes
        b.splice(at, 0, ...rnd.bytes(1 + rnd.below(8)));
        break;
      case 3: // delete a run
        b.splice(at, 1 + rnd.below(16));
        break;
      case 4: // truncate
        b = b.slice(0, rnd.below(b.length + 1));
        break;
      case 5: // an interesting varint (lengths, tags)
        b.splice(at, rnd.below(3), ...rnd.pick(INTERESTING_VARINTS));
        break;
      case 6: // duplicate a run (repeated fields, overlapping lengths)
        if (b.length) {
          const from = rnd.below(b.length);
          b.splice(at, 0, ...b.slice(from, from + 1 + rnd.below(32)));
        }
        break;
      case 7: // splice in part of another input
        if (others.length) {
          const o = rnd.pick(others);
          const from = rnd.below(o.length + 1);
          b.splice(at, rnd.below(8), ...o.subarray(from, from + 1 + rnd.below(64)));
        }
        break;
      default: // a random protobuf field
        b.splice(at, 0, ...randomField(rnd, 2));
    }
  }
  return Uint8Array.from(b);
}

/** One protobuf field with a random number and wire type (possibly nested, possibly malformed). */
export function randomField(rnd: Random, depth: number): number[] {
  const field = rnd.chance(0.8) ? 1 + rnd.below(20) : rnd.below(1 << 29);
  const wire = rnd.pick([0, 1, 2, 2, 2, 5, 3, 4, 6, 7]);
  const tag = varint(field * 8 + wire);
  switch (wire) {
    case 0:
      return [...tag, ...(rnd.chance(0.3) ? rnd.pick(INTERESTING_VARINTS) : varint(rnd.u32()))];
    case 1:
      return [...tag, ...rnd.bytes(8)];
    case 5:
      return [...tag, ...rnd.bytes(4)];
    case 2: {
      const body =
        depth > 0 && rnd.chance(0.5) ? randomMessage(rnd, depth - 1) : Array.from(rnd.bytes(rnd.below(40)));
      const len = rnd.chance(0.1) ? body.length + rnd.below(5) - 2 : body.length; // sometimes lies
      return [...tag, ...varint(Math.max(0, len)), ...body];
    }
    default: // groups and reserved wire types
      return [...tag, ...rnd.bytes(rnd.below(4))];
  }
}

/** A random protobuf message: a few random fields. */
export function randomMessage(rnd: Random, depth = 3): number[] {
  const out: number[] = [];
  const n = rnd.below(6);
  for (let i = 0; i < n; i++) out.push(...randomField(rnd, depth));
  return out;
}

const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '',
  '\u0000',
  'x'.repeat(300),
];
const JSONRPC_KEYS = [
  'jsonrpc',
  'id',
  'method',
  'params',
  'result',
  'error',
  'code',
  'message',
  'data',
  '_meta',
];

/** A random JSON value, biased toward the shapes of JSON-RPC. */
export function randomJson(rnd: Random, depth = 3): unknown {
  switch (depth <= 0 ? rnd.below(5) : rnd.below(8)) {
    case 0:
      return null;
    case 1:
      return rnd.chance(0.5);
    case 2:
      return rnd.pick([0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308, rnd.u32()]);
    case 3:
      return rnd.pick([
        '',
        '2.0',
        'tools/call',
        'initialize',
        'SendMessage',
        'message/send',
        '\ud800',
        'a'.repeat(rnd.below(200)),
      ]);
    case 4:
      return String(rnd.u32());
    case 5:
    case 6: {
      const obj: Record<string, unknown> = {};
      const n = rnd.below(6);
      for (let i = 0; i < n; i++) {
        const key = rnd.chance(0.6) ? rnd.pick(JSONRPC_KEYS) : rnd.pick(HOSTILE_KEYS);
        Object.defineProperty(obj, key, {
          value: randomJson(rnd, depth - 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return obj;
    }
    default:
      return Array.from({ length: rnd.below(4) }, () => randomJson(rnd, depth - 1));
  }
}

/** Text mutations of a JSON or YAML document: cut, repeat, insert punctuation, break UTF-8. */
export function mutateText(rnd: Random, text: string): string {
  const at = rnd.below(text.length + 1);
  switch (rnd.below(7)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return (
        text.slice(0, at) +
        rnd.pick([
          '{',
          '}',
          '[',
          ']',
          '"',
          ',',
          ':',
          '\\',
          '\n',
          '- ',
          '  ',
          '&a',
          '*a',
          '!!binary',
          '${X}',
          '\u0000',
        ]) +
        text.slice(at)
      );
    case 2:
      return text.slice(0, at) + text.slice(at + 1 + rnd.below(20));
    case 3: {
      const from = rnd.below(text.length + 1);
      return text.slice(0, at) + text.slice(from, from + 1 + rnd.below(40)) + text.slice(at);
    }
    case 4:
      return text.slice(0, at) + JSON.stringify(randomJson(rnd, 2)) + text.slice(at);
    case 5:
      return text.replace(/\d+/, String(rnd.pick([0, -1, 2 ** 31, 1e21, 99999999999])));
    default:
      return text.slice(0, at) + '"' + rnd.pick(HOSTILE_KEYS) + '": 1,' + text.slice(at);
  }
}
