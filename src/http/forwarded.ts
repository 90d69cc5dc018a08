// The externally visible URL of a mount point, for adapters that hand URLs back to clients (the A2A
// agent card, MCP endpoints): X-Forwarded-Proto/Host/Prefix when trusted (a reverse proxy in
// front), else the Host header, else the listen address. Header values are validated, never
// copied blindly into URLs.
import type { IncomingHttpHeaders } from 'node:http';

const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;
const PREFIX = /^(?:\/[A-Za-z0-9._~%!$&'()*+,;=:@-]+)+\/?$/;

/** The first (client-most) value of a possibly repeated, comma-separated header. */
function first(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  const head = v?.split(',')[0]?.trim();
  return head ? head : undefined;
}

export interface BaseUrlOptions {
  readonly trustForwarded: boolean;
  /** `host:port` to use when the request has no usable Host header. */
  readonly fallbackHost: string;
}

export function externalBaseUrl(
  headers: IncomingHttpHeaders,
  mountPath: string,
  options: BaseUrlOptions,
): string {
  let proto = 'http';
  let host: string | undefined;
  let prefix = '';
  if (options.trustForwarded) {
    const p = first(headers['x-forwarded-proto'])?.toLowerCase();
    if (p === 'http' || p === 'https') proto = p;
    const h = first(headers['x-forwarded-host']);
    if (h && HOST.test(h)) host = h;
    const x = first(headers['x-forwarded-prefix']);
    if (x && PREFIX.test(x)) prefix = x.replace(/\/$/, '');
  }
  if (!host) {
    const h = headers.host;
    host = h && HOST.test(h) ? h : options.fallbackHost;
  }
  return `${proto}://${host}${prefix}${mountPath}`;
}
