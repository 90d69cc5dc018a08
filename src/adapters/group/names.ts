// How a group route names what its members offer (docs/mcp-over-slimrpc.md "Groups",
// docs/a2a-over-slim.md "Groups"). Every member gets a *prefix* derived from its SLIM name; every
// tool and prompt of the member is presented as `<prefix>_<name>`, every resource URI as
// `<prefix>+<uri>`, every A2A task and context id as `<prefix>:<id>`. Names are always prefixed,
// even with one member, so they do not change when a second member appears.
//
// The rules are pure functions of the member's SLIM name (and of the tool's own name), so a user
// can predict them; the one exception is a prefix collision inside one group (two members whose
// app components sanitize to the same text), where the colliding members take longer prefixes.
// MCP's strict tool-name rule `^[a-zA-Z0-9_-]{1,64}$` holds for every name produced here.
import { createHash } from 'node:crypto';
import { baseName } from '../../slim/rpc/index.js';
import type { SlimName } from '../../slim/rpc/index.js';

/** The tool-name rule that the major MCP clients enforce. */
export const TOOL_NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_TOOL_NAME = 64;
/** Longest member prefix (so at least 32 characters remain for the member's own name). */
export const MAX_PREFIX = 24;
/** The prefix of the tools that call every member at once; no member may have it. */
export const FANOUT_PREFIX = 'all';

/** First `n` hex digits of SHA-256 of `text`. */
export function shortHash(text: string, n = 6): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, n);
}

/** `text` with runs of characters outside [A-Za-z0-9] as one `-`, trimmed, starting with a letter. */
export function sanitizePrefix(text: string): string {
  let s = text.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  if (!/^[A-Za-z]/.test(s)) s = `m${s}`;
  return s;
}

/** A candidate prefix from `parts` joined with `-`, capped at MAX_PREFIX (hash of `full` past it). */
function candidate(parts: readonly string[], full: string): string {
  const s = sanitizePrefix(parts.join('-'));
  if (s.length <= MAX_PREFIX) return s;
  return `${s.slice(0, MAX_PREFIX - 7).replace(/-+$/, '')}-${shortHash(full)}`;
}

/**
 * The prefix of every member of one group, keyed by `org/ns/app`. Normally the sanitized app
 * component; members whose prefixes collide (case-insensitively, or with the reserved `all`) use
 * `<namespace>-<app>`, then `<org>-<namespace>-<app>`, then that plus `-<hash>` of the full name.
 */
export function memberPrefixes(members: readonly SlimName[]): Map<string, string> {
  const names = [...new Set(members.map(baseName))];
  const levels: ((n: SlimName, full: string) => string)[] = [
    (n, full) => candidate([n.app], full),
    (n, full) => candidate([n.namespace, n.app], full),
    (n, full) => candidate([n.org, n.namespace, n.app], full),
    (n, full) =>
      `${candidate([n.org, n.namespace, n.app], full).slice(0, MAX_PREFIX - 7)}-${shortHash(full)}`,
  ];
  const byName = new Map(members.map((m) => [baseName(m), m] as const));
  const level = new Map<string, number>(names.map((n) => [n, 0]));
  const prefixOf = (full: string) => levels[level.get(full)!]!(byName.get(full)!, full);
  // Each round raises at least one member a level; levels are bounded, so this ends.
  for (let round = 0; round <= names.length * levels.length; round++) {
    const seen = new Map<string, string[]>();
    for (const full of names) {
      const key = prefixOf(full).toLowerCase();
      seen.set(key, [...(seen.get(key) ?? []), full]);
    }
    let changed = false;
    for (const [key, group] of seen) {
      if (group.length < 2 && key !== FANOUT_PREFIX) continue;
      for (const full of group) {
        const l = level.get(full)!;
        if (l < levels.length - 1) {
          level.set(full, l + 1);
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  return new Map(names.map((full) => [full, prefixOf(full)]));
}

/**
 * `<prefix>_<name>` when `name` is made of [A-Za-z0-9_-] and the result fits 64 characters;
 * otherwise other characters become `_`, the name is shortened to fit, and `-<6 hex of SHA-256 of
 * the original name>` is appended, so distinct originals stay distinct.
 */
export function prefixedName(prefix: string, name: string): string {
  const plain = `${prefix}_${name}`;
  if (/^[A-Za-z0-9_-]+$/.test(name) && plain.length <= MAX_TOOL_NAME) return plain;
  const room = MAX_TOOL_NAME - prefix.length - 1 - 7;
  const safe = name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, Math.max(0, room));
  return `${prefix}_${safe}-${shortHash(name)}`;
}

/** The name of the tool that calls `tool` on every member offering it. */
export function fanoutName(tool: string): string {
  return prefixedName(FANOUT_PREFIX, tool);
}

/** A member resource URI (or URI template) as the group presents it. */
export function prefixedUri(prefix: string, uri: string): string {
  return `${prefix}+${uri}`;
}

/** The prefix and original URI of a presented URI, if it has the `<prefix>+` form. */
export function splitPrefixedUri(uri: string): { prefix: string; uri: string } | undefined {
  const plus = uri.indexOf('+');
  if (plus <= 0) return undefined;
  return { prefix: uri.slice(0, plus), uri: uri.slice(plus + 1) };
}

/** A member's task or context id as the group presents it. */
export function prefixedId(prefix: string, id: string): string {
  return `${prefix}:${id}`;
}

/** The prefix and original id of a presented task or context id. */
export function splitPrefixedId(id: string): { prefix: string; id: string } | undefined {
  const colon = id.indexOf(':');
  if (colon <= 0) return undefined;
  return { prefix: id.slice(0, colon), id: id.slice(colon + 1) };
}
