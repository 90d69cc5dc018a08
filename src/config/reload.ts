// Hot reload: watches the configuration file (its directory, so editors that save by renaming are
// seen), re-reads it after a short quiet period, and hands a new valid configuration to the
// owner. An invalid file changes nothing: the running configuration stays and every problem is
// logged. `check()` re-reads on demand (SIGHUP).
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { basename, dirname, resolve as resolvePath } from 'node:path';
import { describeError } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import { checkConfigFile } from './load.js';
import type { Env } from './load.js';
import { formatProblem } from './problems.js';
import type { ConfigProblem } from './problems.js';
import type { GatewayConfig } from './types.js';

export interface ConfigWatcherOptions {
  readonly env: Env;
  readonly logger: Logger;
  /** Quiet period after the last change event before re-reading (default 200 ms). */
  readonly debounceMs?: number;
  /** A new valid configuration (called one at a time, in order). */
  readonly onChange: (config: GatewayConfig) => Promise<void>;
  /** An invalid file (already logged). */
  readonly onInvalid?: (problems: readonly ConfigProblem[]) => void;
}

export interface ConfigWatcher {
  /** Re-reads the file now; resolves once the change (if any) was handed over. */
  check(): Promise<void>;
  close(): void;
}

export function watchConfigFile(file: string, options: ConfigWatcherOptions): ConfigWatcher {
  const path = resolvePath(file);
  const log = options.logger;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let chain: Promise<void> = Promise.resolve();
  let lastText: string | undefined;

  const reread = async () => {
    const result = checkConfigFile(path, options.env);
    if (!result.ok) {
      const text = result.problems.map((p) => formatProblem(p, file)).join('\n');
      if (text === lastText) return;
      lastText = text;
      log.error(
        { file, problems: result.problems.length },
        'configuration change rejected; still running the previous configuration',
      );
      for (const p of result.problems) log.error(`  ${formatProblem(p, file)}`);
      options.onInvalid?.(result.problems);
      return;
    }
    lastText = undefined;
    await options.onChange(result.config);
  };

  const check = (): Promise<void> => {
    if (closed) return Promise.resolve();
    chain = chain.then(reread).catch((err: unknown) => {
      log.error({ err: describeError(err) }, 'applying the configuration change failed');
    });
    return chain;
  };

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, name) => {
      if (name !== null && name !== basename(path)) return;
      clearTimeout(timer);
      timer = setTimeout(() => void check(), options.debounceMs ?? 200);
    });
    watcher.on('error', (err) =>
      log.warn({ err: describeError(err) }, 'configuration watch failed; reload with SIGHUP'),
    );
  } catch (err) {
    log.warn({ err: describeError(err) }, 'cannot watch the configuration file; reload with SIGHUP');
  }

  return {
    check,
    close: () => {
      closed = true;
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
