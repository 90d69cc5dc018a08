// An MCP server that wants OAuth, seen through two gateways (docs/mcp-over-slimrpc.md,
// "Authorization"). The challenge travels as ../upstream-challenge.ts carries it; the route answers
// its client with a 401 whose `resource_metadata` points at the route itself, and serves the metadata there with
// `resource` set to the route URL, so an MCP client's discovery and resource check (RFC 9728)
// succeed against the URL it uses; the authorization servers are left as the server named them.

/** Where the route serves the protected resource metadata, below its own path. */
export const RESOURCE_METADATA_SUBPATH = '/.well-known/oauth-protected-resource';

/** The `resource_metadata` parameter of a WWW-Authenticate value (RFC 9728 §5.1). */
export function resourceMetadataUrl(wwwAuthenticate: string): string | undefined {
  return /\bresource_metadata="([^"]*)"/i.exec(wwwAuthenticate)?.[1];
}

/** The challenge as the route's client must see it: resource_metadata pointing at the route. */
export function localWwwAuthenticate(wwwAuthenticate: string, routeUrl: string): string {
  const local = `resource_metadata="${routeUrl}${RESOURCE_METADATA_SUBPATH}"`;
  if (/\bresource_metadata="[^"]*"/i.test(wwwAuthenticate))
    return wwwAuthenticate.replace(/\bresource_metadata="[^"]*"/i, local);
  const bearer = /^\s*Bearer\b\s*(.*)$/is.exec(wwwAuthenticate);
  const rest = bearer?.[1]?.trim() ?? '';
  return `Bearer ${local}${rest ? `, ${rest}` : ''}`;
}

/** The server's metadata as the route serves it: `resource` is the route's URL. */
export function localResourceMetadata(
  metadata: Record<string, unknown>,
  routeUrl: string,
): Record<string, unknown> {
  return { ...metadata, resource: routeUrl };
}
