#!/usr/bin/env node
// The one gate (`npm test`): build (strict typecheck), lint, format, generated-code drift, then
// every test (unit, component, vectors, integration and interop with the reference SLIM
// implementation). Stops at the first failing step.
import { spawnSync } from 'node:child_process';

const steps = [
  ['build (typecheck)', 'npm', ['run', '--silent', 'build']],
  ['lint', 'npm', ['run', '--silent', 'lint']],
  ['format', 'npm', ['run', '--silent', 'format:check']],
  ['generated code drift', 'node', ['scripts/proto.mjs', 'check']],
  ['tests', 'node', ['scripts/run-tests.mjs', ...process.argv.slice(2)]],
];
const root = new URL('..', import.meta.url).pathname;
for (const [label, cmd, args] of steps) {
  const started = Date.now();
  console.log(`\n== ${label}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`\n== ${label} FAILED (${secs}s)`);
    process.exit(r.status ?? 1);
  }
  console.log(`== ${label} ok (${secs}s)`);
}
