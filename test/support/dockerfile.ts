// A Dockerfile replayed without a container engine: each stage gets a temporary folder as its file
// system root; COPY copies from the build context (minus .dockerignore) or from an earlier stage,
// RUN runs its shell line in the stage's WORKDIR with the stage's ENV, and the image's metadata
// (base, USER, EXPOSE, HEALTHCHECK, ENTRYPOINT, CMD) is recorded. Paths in exec-form commands are
// mapped into the final stage's folder so a test can run them as the image would.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';

export interface Stage {
  readonly name: string | undefined;
  readonly from: string;
  /** The stage's file system root (a temporary folder). */
  readonly root: string;
  workdir: string;
  readonly env: Record<string, string>;
  user?: string;
  expose: number[];
  healthcheck?: string[];
  entrypoint?: string[];
  cmd?: string[];
}

export interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** The instructions of a Dockerfile: comments dropped, continuation lines joined. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (current === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      current += line.slice(0, -1) + ' ';
      continue;
    }
    current += line;
    const m = /^(\S+)\s+([\s\S]*)$/.exec(current.trim());
    if (m) out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim() });
    current = '';
  }
  return out;
}

function ignoredBy(context: string): (path: string) => boolean {
  const file = join(context, '.dockerignore');
  const patterns = existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'))
    : [];
  const matchers = patterns.map(
    (p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/|$)`),
  );
  return (path) => {
    const rel = relative(context, path);
    return rel !== '' && matchers.some((m) => m.test(rel) || m.test(basename(rel)));
  };
}

export interface Replayed {
  readonly stages: Stage[];
  readonly final: Stage;
  /** `path` in the final image, as a path on this machine. */
  inImage(path: string): string;
  /** An exec-form command of the image with its absolute image paths mapped onto this machine. */
  mapCommand(argv: readonly string[]): string[];
  cleanup(): void;
}

/** Replays `dockerfile` with `context` as the build context. `runEnv` is added to RUN lines' environment. */
export function replayDockerfile(
  dockerfile: string,
  context: string,
  runEnv: Record<string, string> = {},
): Replayed {
  const stages: Stage[] = [];
  const ignored = ignoredBy(context);
  const at = (stage: Stage, path: string) =>
    path.startsWith('/') ? join(stage.root, path) : join(stage.root, stage.workdir, path);
  const json = (args: string): string[] => JSON.parse(args) as string[];
  try {
    for (const { keyword, args } of parseDockerfile(readFileSync(dockerfile, 'utf8'))) {
      const stage = stages[stages.length - 1];
      if (keyword === 'FROM') {
        const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args)!;
        stages.push({
          name: m[2],
          from: m[1]!,
          root: mkdtempSync(join(tmpdir(), 'slim-gw-image-')),
          workdir: '/',
          env: {},
          expose: [],
        });
        continue;
      }
      if (!stage) throw new Error(`${keyword} before FROM`);
      switch (keyword) {
        case 'WORKDIR':
          stage.workdir = args.startsWith('/') ? args : join(stage.workdir, args);
          mkdirSync(join(stage.root, stage.workdir), { recursive: true });
          break;
        case 'ENV': {
          const m = /^(\S+?)=(.*)$/.exec(args)!;
          stage.env[m[1]!] = m[2]!;
          break;
        }
        case 'COPY': {
          const words = args.split(/\s+/);
          const fromFlag = words[0]!.startsWith('--from=')
            ? words.shift()!.slice('--from='.length)
            : undefined;
          const dest = words.pop()!;
          const source = fromFlag ? stages.find((s) => s.name === fromFlag) : undefined;
          if (fromFlag && !source) throw new Error(`COPY --from=${fromFlag}: no such stage`);
          for (const src of words) {
            const from = source ? join(source.root, src) : join(context, src);
            if (!existsSync(from)) throw new Error(`COPY ${src}: not found`);
            let to = at(stage, dest);
            if (statSync(from).isFile() && (dest.endsWith('/') || words.length > 1))
              to = join(to, basename(src));
            mkdirSync(statSync(from).isFile() ? join(to, '..') : to, { recursive: true });
            cpSync(from, to, { recursive: true, filter: (p) => source !== undefined || !ignored(p) });
          }
          break;
        }
        case 'RUN':
          execFileSync('sh', ['-c', args], {
            cwd: join(stage.root, stage.workdir),
            env: { ...process.env, ...stage.env, ...runEnv },
            stdio: ['ignore', 'ignore', 'pipe'],
            maxBuffer: 64 * 1024 * 1024,
          });
          break;
        case 'USER':
          stage.user = args;
          break;
        case 'EXPOSE':
          stage.expose = args.split(/\s+/).map((p) => Number(p.split('/')[0]));
          break;
        case 'HEALTHCHECK': {
          const i = args.indexOf('CMD ');
          stage.healthcheck = json(args.slice(i + 4).trim());
          break;
        }
        case 'ENTRYPOINT':
          stage.entrypoint = json(args);
          break;
        case 'CMD':
          stage.cmd = json(args);
          break;
        default:
          throw new Error(`instruction ${keyword} is not replayed`);
      }
    }
  } catch (err) {
    for (const s of stages) rmSync(s.root, { recursive: true, force: true });
    throw err;
  }
  const final = stages[stages.length - 1]!;
  const inImage = (path: string) => join(final.root, path);
  return {
    stages,
    final,
    inImage,
    mapCommand: (argv) => argv.map((a) => (a.startsWith('/') && existsSync(inImage(a)) ? inImage(a) : a)),
    cleanup: () => {
      for (const s of stages) rmSync(s.root, { recursive: true, force: true });
    },
  };
}
