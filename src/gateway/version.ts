// The package version, read once from package.json (for the startup banner and `--version`).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The version in the nearest package.json named slim-gateway above `file`. */
function versionAbove(file: string): string | undefined {
  // This module runs from dist/src/gateway/ (tests) or from a chunk in dist/bundle/ (the bin).
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
      if (pkg['name'] === 'slim-gateway' && typeof pkg['version'] === 'string') return pkg['version'];
    } catch {
      // no package.json here, or not ours: look further up
    }
    if (dirname(dir) === dir) return undefined;
  }
}

export function packageVersion(): string {
  cached ??= versionAbove(fileURLToPath(import.meta.url)) ?? 'unknown';
  return cached;
}
