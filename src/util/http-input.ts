// The input rules every local JSON-RPC endpoint applies before it reads a call (docs/security.md,
// "Input rules"), so the MCP and A2A routes answer the same bad request the same way: the request
// body is JSON (Content-Type application/json, charset UTF-8 if one is named; 415 otherwise), its
// bytes are UTF-8 (-32700 otherwise), and Accept, when the protocol requires one, names what we
// will answer with (406 otherwise). Media ranges are read as HTTP does (wildcards, q=0 refuses).
// Pure; the adapters turn a failed rule into their protocol's error.

/** The media type of a Content-Type value, lower-cased, and its charset parameter, if any. */
export function mediaType(
  value: string | undefined,
): { type: string; charset: string | undefined } | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const [type, ...params] = value.split(';');
  let charset: string | undefined;
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    if (p.slice(0, eq).trim().toLowerCase() === 'charset')
      charset = p
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase();
  }
  return { type: type!.trim().toLowerCase(), charset };
}

/**
 * Why a Content-Type is not acceptable for a JSON-RPC body (undefined when it is). `types` lists
 * the accepted media types; a missing Content-Type is refused (both specs require it).
 */
export function contentTypeProblem(
  value: string | undefined,
  types: readonly string[] = ['application/json'],
): string | undefined {
  const m = mediaType(value);
  const want = types.join(' or ');
  if (!m) return `Unsupported Media Type: Content-Type ${want} is required`;
  if (!types.includes(m.type)) return `Unsupported Media Type: Content-Type must be ${want}, not ${m.type}`;
  if (m.charset !== undefined && m.charset !== 'utf-8' && m.charset !== 'utf8')
    return `Unsupported Media Type: the body must be UTF-8, not ${m.charset}`;
  return undefined;
}

interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
}

function parseAccept(value: string): MediaRange[] {
  const out: MediaRange[] = [];
  for (const part of value.split(',')) {
    const [range, ...params] = part.split(';');
    const [type, subtype] = range!.trim().toLowerCase().split('/');
    if (!type || !subtype) continue;
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split('=');
      if (k?.trim().toLowerCase() === 'q') q = Number(v?.trim());
    }
    out.push({ type, subtype, q: Number.isFinite(q) ? q : 0 });
  }
  return out;
}

/**
 * Whether an Accept value allows `media` (type/subtype): the most specific matching range decides,
 * so `*\/*;q=1, text/html;q=0` refuses text/html. A missing Accept allows nothing here: callers
 * decide what a missing header means for their protocol.
 */
export function acceptsMedia(accept: string | undefined, media: string): boolean {
  if (accept === undefined) return false;
  const [type, subtype] = media.toLowerCase().split('/');
  let best: MediaRange | undefined;
  let rank = -1;
  for (const r of parseAccept(accept)) {
    const r2 =
      r.type === type && r.subtype === subtype
        ? 2
        : r.type === type && r.subtype === '*'
          ? 1
          : r.type === '*'
            ? 0
            : -1;
    if (r2 > rank) {
      rank = r2;
      best = r;
    }
  }
  return best !== undefined && best.q > 0;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as text, or undefined when its bytes are not UTF-8. */
export function decodeUtf8(body: Uint8Array): string | undefined {
  try {
    return utf8.decode(body);
  } catch {
    return undefined;
  }
}
