#!/usr/bin/env node
// Generated protobuf code: `generate` rewrites src/**/gen from proto/ with buf + protoc-gen-es;
// `check` generates into a temporary directory and fails if the committed code differs (drift).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'node_modules', '.bin');
const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
const mode = process.argv[2] ?? 'check';
const TEMPLATES = ['buf.gen.yaml', 'buf.gen.a2a.yaml'];

function listFiles(dir) {
  const out = [];
  (function walk(d) {
    let entries = [];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  })(dir);
  return out.sort();
}

function generate(outRoot) {
  for (const template of TEMPLATES) {
    const args = ['generate', '--template', template];
    if (outRoot) {
      // Same template with every `out:` redirected under outRoot.
      const text = readFileSync(join(root, template), 'utf8').replace(
        /out: (\S+)/g,
        (_m, p) => `out: ${join(outRoot, p)}`,
      );
      const tmpl = join(outRoot, template);
      writeFileSync(tmpl, text);
      args[2] = tmpl;
    }
    const r = spawnSync('buf', args, { cwd: root, env, stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}

if (mode === 'generate') {
  generate(undefined);
} else {
  const tmp = mkdtempSync(join(tmpdir(), 'slim-gw-proto-'));
  try {
    generate(tmp);
    const dirs = [
      ...new Set(
        TEMPLATES.flatMap((t) =>
          readFileSync(join(root, t), 'utf8')
            .match(/out: (\S+)/g)
            .map((l) => l.slice(5)),
        ),
      ),
    ];
    let drift = false;
    for (const d of dirs) {
      const want = listFiles(join(tmp, d));
      const have = listFiles(join(root, d));
      if (want.join('\n') !== have.join('\n')) {
        console.error(`generated files differ in ${d}: expected [${want}] found [${have}]`);
        drift = true;
        continue;
      }
      for (const f of want) {
        if (readFileSync(join(tmp, d, f), 'utf8') !== readFileSync(join(root, d, f), 'utf8')) {
          console.error(`generated file ${join(d, f)} differs from its .proto: run npm run proto:gen`);
          drift = true;
        }
      }
    }
    if (drift) process.exit(1);
    console.log('generated code matches its .proto sources');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
