// Builds configurations for tests from YAML text, as a user would write them.
import { parseConfig } from '../../src/config/parse.js';
import type { GatewayConfig } from '../../src/config/types.js';
import type { ConfigProblem } from '../../src/config/problems.js';

export const SECRET = 'test-secret-0123456789-0123456789-abcdef';

export function configFrom(yaml: string, env: Record<string, string> = {}): GatewayConfig {
  const r = parseConfig(yaml, { env, baseDir: '/srv/gw' });
  if (!r.ok)
    throw new Error(`unexpected problems:\n${r.problems.map((p) => `${p.path}: ${p.message}`).join('\n')}`);
  return r.config;
}

export function problemsOf(yaml: string, env: Record<string, string> = {}): readonly ConfigProblem[] {
  const r = parseConfig(yaml, { env, baseDir: '/srv/gw' });
  if (r.ok) throw new Error('expected problems, the configuration is valid');
  return r.problems;
}
