// Where tests find their data: the captured SLIM vectors live in the repository at
// test/fixtures/vectors/slim-v2 (SLIM_VECTORS_DIR overrides). Missing vectors fail the test run;
// they never skip.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (works from src and from dist). */
export const REPO_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
})();

export function vectorsDir(): string {
  const dir = process.env['SLIM_VECTORS_DIR'] ?? resolve(REPO_ROOT, 'test', 'fixtures', 'vectors', 'slim-v2');
  if (!existsSync(join(dir, 'kat.json'))) {
    throw new Error(`SLIM vectors not found at ${dir} (set SLIM_VECTORS_DIR)`);
  }
  return dir;
}
