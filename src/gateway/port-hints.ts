// Addresses the gateway must own (the embedded node's slim.listen, http.listen, and the URL of
// each service whose process it spawns) and what to say when one is taken: which setting it is,
// and the variable that overrides it when the file reads it from one (`${SLIM_LISTEN:-...}`).
// `run` adds this to its failure; `check` probes the addresses and warns before a `run` fails.
import { createServer } from 'node:net';
import { formatHostPort } from '../config/host-port.js';
import type { GatewayConfig } from '../config/types.js';
import { portAnswers } from './spawn.js';

export interface OwnedAddress {
  /** The setting, e.g. `slim.listen` or `services[1].a2a.url`. */
  readonly path: string;
  /** `host:port`. */
  readonly address: string;
  /** For a spawned service: its URL (something answering there already is a conflict). */
  readonly url?: string;
  /** The variable the file takes this value from (`${SLIM_LISTEN:-...}`). */
  readonly variable?: string;
}

export function ownedAddresses(config: GatewayConfig): OwnedAddress[] {
  const variable = (path: string) => config.variables.find((d) => d.path === path)?.variable;
  const entry = (path: string, address: string, url?: string): OwnedAddress => {
    const v = variable(path);
    return { path, address, ...(url ? { url } : {}), ...(v ? { variable: v } : {}) };
  };
  const out: OwnedAddress[] = [];
  if (config.slim.node.kind === 'embedded')
    out.push(entry('slim.listen', formatHostPort(config.slim.node.listen)));
  out.push(entry('http.listen', formatHostPort(config.http.listen)));
  config.services.forEach((s, i) => {
    if (!s.spawn) return;
    const url = s.kind === 'a2a' ? s.url : s.backend.kind === 'http' ? s.backend.url : undefined;
    if (url) out.push(entry(`services[${i}].${s.kind}.url`, new URL(url).host, url));
  });
  return out;
}

/** What to do about `a`, taken by another program. */
export function inUseHint(a: OwnedAddress, configFile?: string): string {
  const change = a.variable
    ? `set ${a.variable} to use another (see the file's comments)`
    : `change ${a.path}${configFile ? ` in ${configFile}` : ''}`;
  return `${a.address} (${a.path}) is in use by another program (another slim-gateway or \`npm start\`?): ${change}`;
}

/** The hint for a startup failure, when it was an address in use. */
export function startupHint(err: unknown, config: GatewayConfig, configFile?: string): string | undefined {
  const texts: string[] = [];
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    texts.push(e.message, String((e as NodeJS.ErrnoException).code ?? ''));
  }
  const all = texts.join('\n');
  const inUse = /EADDRINUSE|already in use|already accepts connections/.test(all);
  if (!inUse) return undefined;
  const a = ownedAddresses(config).find((o) => all.includes(o.address));
  return a ? inUseHint(a, configFile) : undefined;
}

/** Whether `a` is taken now: a listen address cannot be bound, or a spawned service's URL answers. */
export async function addressTaken(a: OwnedAddress): Promise<boolean> {
  if (a.url) return portAnswers(a.url);
  const at = a.address.lastIndexOf(':');
  const host = a.address.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(a.address.slice(at + 1));
  if (port === 0) return false;
  return new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE'));
    server.listen(port, host, () => server.close(() => resolve(false)));
  });
}
