// Bearer credentials read from a token file (docs/security.md, Node authentication), as the
// reference's static JWT client auth: `authorization: Bearer <token>`. The file is checked before
// every connect and read again when it changed (size, mtime or inode: a rewrite, or the symlink
// swap of a Kubernetes projected volume), so a rotated token goes with the next connection.
// Surrounding whitespace (the trailing newline most tools write) is trimmed; the reference sends
// the file as read, so a token file ending in a newline gives it no header at all.
import { readFile, stat } from 'node:fs/promises';
import { GatewayError, describeError } from '../../util/errors.js';
import type { LinkCredentials } from './link-auth.js';

/** The file operations used (the file system by default; tests pass their own). */
export interface TokenFileAccess {
  stat(path: string): Promise<{ size: number; mtimeMs: number; ino: number }>;
  read(path: string): Promise<Uint8Array>;
}

const fsAccess: TokenFileAccess = { stat: (p) => stat(p), read: (p) => readFile(p) };

/** A token is one line of visible ASCII (RFC 6750 b64token, JWT compact form). */
const TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** Far above any JWT; a larger file is not a token. */
const MAX_TOKEN_BYTES = 64 * 1024;

export class BearerFileCredentials implements LinkCredentials {
  readonly scheme = 'bearer';
  private version = '';
  private value = '';

  constructor(
    readonly path: string,
    private readonly fs: TokenFileAccess = fsAccess,
  ) {}

  async authorization(): Promise<string> {
    const fail = (why: string, cause?: unknown) =>
      new GatewayError('AUTH', `node token file ${this.path}: ${why}`, { cause });
    let st;
    try {
      st = await this.fs.stat(this.path);
    } catch (err) {
      throw fail(`cannot read it (${describeError(err)})`, err);
    }
    const version = `${st.ino}/${st.size}/${st.mtimeMs}`;
    if (version === this.version) return this.value;
    if (st.size > MAX_TOKEN_BYTES) throw fail(`over ${MAX_TOKEN_BYTES} bytes: not a token`);
    let text: string;
    try {
      text = Buffer.from(await this.fs.read(this.path))
        .toString('utf8')
        .trim();
    } catch (err) {
      throw fail(`cannot read it (${describeError(err)})`, err);
    }
    if (text === '') throw fail('empty');
    if (!TOKEN.test(text)) throw fail('not a bearer token (one line of letters, digits and -._~+/)');
    this.value = `Bearer ${text}`;
    this.version = version;
    return this.value;
  }
}
