// Loose readers for peers' JSON (A2A JSON-RPC params and results): they accept what is there,
// ignore what they do not know, and fail with InvalidParamsError naming the path of what is
// wrong. Writers drop empty optional values so the JSON we emit stays minimal.
import type { JsonObject, JsonValue } from '@bufbuild/protobuf';
import { A2aError } from './errors.js';

export type Obj = Record<string, unknown>;

export function invalid(path: string, what: string): A2aError {
  return new A2aError('InvalidParamsError', `${path}: ${what}`);
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function obj(v: unknown, path: string): Obj {
  if (!isObj(v)) throw invalid(path, 'must be an object');
  return v;
}

export function optObj(v: unknown, path: string): Obj | undefined {
  return v === undefined || v === null ? undefined : obj(v, path);
}

export function str(v: unknown, path: string): string {
  if (typeof v !== 'string') throw invalid(path, 'must be a string');
  return v;
}

export function optStr(v: unknown, path: string): string {
  return v === undefined || v === null ? '' : str(v, path);
}

export function optInt(v: unknown, path: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalid(path, 'must be an integer');
  // The binding's fields are int32: a larger value is the caller's error, not ours at encode time.
  if (v < -(2 ** 31) || v >= 2 ** 31) throw invalid(path, 'must be a 32-bit integer');
  return v;
}

export function optBool(v: unknown, path: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw invalid(path, 'must be a boolean');
  return v;
}

export function arr(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalid(path, 'must be an array');
  return v;
}

export function strings(v: unknown, path: string): string[] {
  return arr(v, path).map((s, i) => str(s, `${path}[${i}]`));
}

/** A JSON object (for google.protobuf.Struct fields), or undefined. */
export function optStruct(v: unknown, path: string): JsonObject | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, path);
  checkFinite(o, path);
  return o as JsonObject;
}

/**
 * google.protobuf.Value has no Infinity or NaN, but JSON.parse turns `1e400` into Infinity: such a
 * number is the caller's invalid params here, not an internal error where the Struct is encoded
 * (found by fuzzing).
 */
export function checkFinite(v: unknown, path: string): void {
  // Every event and result passes here: the walk builds no path strings unless it finds a bad number.
  const at = nonFinitePath(v);
  if (at !== undefined) throw invalid(`${path}${at}`, 'must hold finite numbers only');
}

/** Where the first non-finite number in `v` sits (`.a[2].b`, '' for `v` itself), or undefined. */
function nonFinitePath(v: unknown): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : '';
  if (typeof v !== 'object' || v === null) return undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const at = nonFinitePath(v[i]);
      if (at !== undefined) return `[${i}]${at}`;
    }
    return undefined;
  }
  for (const k in v) {
    if (!Object.hasOwn(v, k)) continue;
    const at = nonFinitePath((v as Record<string, unknown>)[k]);
    if (at !== undefined) return `.${k}${at}`;
  }
  return undefined;
}

export function stringMap(v: unknown, path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, s] of Object.entries(optObj(v, path) ?? {})) out[k] = str(s, `${path}.${k}`);
  return out;
}

/** Sets `out[key]` only for values worth emitting (non-empty strings and arrays, defined others). */
export function put(out: Obj, key: string, value: unknown): void {
  if (value === undefined || value === null || value === '') return;
  if (Array.isArray(value) && value.length === 0) return;
  out[key] = value;
}

export function cloneJson<T extends JsonValue | undefined>(v: T): T {
  return v === undefined ? v : (structuredClone(v) as T);
}
