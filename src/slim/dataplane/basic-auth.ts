// HTTP Basic credentials on links (docs/security.md, Node authentication), as the reference's
// client and server Basic layers (tower-http AddAuthorization / ValidateRequestHeader):
// `authorization: Basic base64(username:password)`, standard base64 with padding.
// Our node's check differs from the reference in two ways that do not change the wire: several
// users may be configured, and the comparison takes the same time whatever matched (digests of
// both sides compared with timingSafeEqual, every configured user tried).
import { createHash, timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../../util/errors.js';
import type { LinkAuthResult, LinkAuthenticator, LinkCredentials } from './link-auth.js';

export interface BasicUser {
  readonly username: string;
  readonly password: string;
}

/** The header value the reference client sends for `username`/`password`. */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** Credentials of a link that authenticates with Basic. */
export function basicCredentials(user: BasicUser): LinkCredentials {
  if (user.username === '' || user.password === '')
    throw new GatewayError('CONFIG', 'Basic node credentials need a username and a password');
  if (user.username.includes(':')) throw new GatewayError('CONFIG', 'a Basic username cannot contain ":"');
  const value = basicAuthorization(user.username, user.password);
  return { scheme: 'basic', authorization: () => Promise.resolve(value) };
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** A node's check of Basic credentials against a fixed list of users. */
export class BasicAuthenticator implements LinkAuthenticator {
  readonly scheme = 'basic';
  private readonly users: { name: string; user: Buffer; password: Buffer }[];

  constructor(users: readonly BasicUser[]) {
    if (users.length === 0) throw new GatewayError('CONFIG', 'Basic authentication needs at least one user');
    this.users = users.map((u) => ({
      name: u.username,
      user: digest(u.username),
      password: digest(u.password),
    }));
  }

  check(authorization: string | undefined): LinkAuthResult {
    if (authorization === undefined) return { ok: false, reason: 'no credentials (Basic required)' };
    const m = /^basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i.exec(authorization);
    if (!m) return { ok: false, reason: 'credentials are not Basic' };
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { ok: false, reason: 'malformed Basic credentials' };
    const user = digest(decoded.slice(0, colon));
    const password = digest(decoded.slice(colon + 1));
    let match: string | undefined;
    for (const u of this.users) {
      // Both comparisons always run, and every user is tried: the time taken says nothing.
      const ok = Number(timingSafeEqual(user, u.user)) & Number(timingSafeEqual(password, u.password));
      if (ok && match === undefined) match = u.name;
    }
    return match !== undefined
      ? { ok: true, principal: match }
      : { ok: false, reason: 'wrong username or password' };
  }
}
