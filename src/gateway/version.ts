// The package version, read once from package.json (for the startup banner).
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function packageVersion(): string {
  if (cached === undefined) {
    try {
      // dist/src/gateway/version.js and src/gateway/version.ts are both three levels below the root.
      const url = new URL('../../../package.json', import.meta.url);
      cached = (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
    } catch {
      cached = 'unknown';
    }
  }
  return cached;
}
