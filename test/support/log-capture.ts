// A pino logger that keeps its records in memory, so tests can check what a component logged
// (e.g. the reason a connection was closed).
import { pino } from 'pino';
import type { Logger } from 'pino';
import { Writable } from 'node:stream';

export interface CapturedLogs {
  logger: Logger;
  records: Record<string, unknown>[];
  /** Waits until a record whose msg matches `re` appears (hang guard). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<Record<string, unknown>>;
  messages(): string[];
}

export function captureLogs(level = 'debug'): CapturedLogs {
  const records: Record<string, unknown>[] = [];
  const listeners = new Set<() => void>();
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        records.push(JSON.parse(line) as Record<string, unknown>);
      }
      for (const l of listeners) l();
      cb();
    },
  });
  const logger = pino({ level }, sink);
  const find = (re: RegExp) => records.find((r) => re.test(String(r['msg'])));
  return {
    logger,
    records,
    messages: () => records.map((r) => String(r['msg'])),
    waitFor(re, timeoutMs = 20_000) {
      const hit = find(re);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          listeners.delete(check);
          reject(
            new Error(
              `no log matching ${re} within ${timeoutMs} ms; saw ${JSON.stringify(records.map((r) => r['msg']).slice(-15))}`,
            ),
          );
        }, timeoutMs);
        const check = () => {
          const r = find(re);
          if (!r) return;
          clearTimeout(t);
          listeners.delete(check);
          resolve(r);
        };
        listeners.add(check);
      });
    },
  };
}
