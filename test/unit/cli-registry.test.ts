// The command registry (src/cli/registry.ts) names every file in src/cli/commands/, each loads a
// command with a summary and usage, and no other word (an Object.prototype name included) is a
// command. That the bundle bin/slim-gateway runs carries them all: integration/cli.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { commandNames, loadCommand } from '../../src/cli/registry.js';
import { REPO_ROOT } from '../support/paths.js';

test('every file in src/cli/commands is a registered command, and nothing else is', async () => {
  const files = readdirSync(join(REPO_ROOT, 'src', 'cli', 'commands'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
  assert.deepEqual(commandNames(), files);
  for (const name of files) {
    const cmd = await loadCommand(name);
    assert.ok(cmd, name);
    assert.ok(cmd.summary.length > 0 && cmd.usage.includes(name), name);
  }
  for (const word of ['toString', '__proto__', 'constructor', 'hasOwnProperty', '', 'RUN', 'run.js'])
    assert.equal(await loadCommand(word), undefined, word);
});
