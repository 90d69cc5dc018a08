// The key and token files of a JWT identity (`slim.jwt`, `slim.trust`), read and checked at load
// and by `slim-gateway check`, each problem reported with its config path: a signing key that is
// not a private key of an accepted kind, a token file without a JWT (or, as a SLIM identity,
// without the `pubkey` claim sessions need: docs/security.md), trusted-key files that hold no
// usable public key. The gateway reads them again when it starts (and when they change).
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { decodeJwt, readSigningKeyFile, readTokenFile, readTrustedKeyFile } from '../slim/auth/index.js';
import { describeError } from '../util/errors.js';
import type { RawProblem } from './cross-checks.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function checkIdentityFiles(raw: unknown, baseDir: string): RawProblem[] {
  const out: RawProblem[] = [];
  const slim = isObj(raw) && isObj(raw['slim']) ? raw['slim'] : {};
  const abs = (f: string) => (isAbsolute(f) ? f : resolvePath(baseDir, f));
  const attempt = (path: RawProblem['path'], fn: () => void) => {
    try {
      fn();
    } catch (err) {
      out.push({ path, message: describeError(err) });
    }
  };
  const jwt = slim['jwt'];
  if (isObj(jwt)) {
    const keyFile = jwt['keyFile'];
    if (typeof keyFile === 'string' && keyFile !== '')
      attempt(['slim', 'jwt', 'keyFile'], () => readSigningKeyFile(abs(keyFile)));
    const tokenFile = jwt['tokenFile'];
    if (typeof tokenFile === 'string' && tokenFile !== '')
      attempt(['slim', 'jwt', 'tokenFile'], () => {
        const token = readTokenFile(abs(tokenFile));
        if (decodeJwt(token).payload['pubkey'] === undefined)
          throw new Error(
            `the token in ${abs(tokenFile)} has no pubkey claim binding this gateway's signature key, so ` +
              'peers (ours and the reference) refuse its signed session requests and MLS credentials; ' +
              'use keyFile (we sign our own tokens) for the SLIM identity',
          );
        throw new Error(
          `the token in ${abs(tokenFile)} binds a signature key this gateway does not hold (pubkey claim); ` +
            'use keyFile (we sign our own tokens) for the SLIM identity',
        );
      });
  }
  const trust = slim['trust'];
  if (isObj(trust) && Array.isArray(trust['keyFiles']))
    trust['keyFiles'].forEach((f, i) => {
      if (typeof f === 'string' && f !== '')
        attempt(['slim', 'trust', 'keyFiles', i], () => readTrustedKeyFile(abs(f)));
    });
  return out;
}
