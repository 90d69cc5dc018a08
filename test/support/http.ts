// A small HTTP client for tests that need headers fetch() will not send as given (Host, Origin),
// chunked bodies, or to drop the connection mid-request; plus a Prometheus text-format checker.
import { request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingHttpHeaders } from 'node:http';

export interface HttpResult {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  json<T = unknown>(): T;
}

export interface HttpOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** Send the body in chunks without a content-length. */
  readonly chunked?: boolean;
  /** Gets the request (e.g. to destroy it). */
  readonly onRequest?: (req: ClientRequest) => void;
}

export function http(url: string, options: HttpOptions = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: <T>() => JSON.parse(text) as T,
          });
        });
      },
    );
    req.on('error', reject);
    options.onRequest?.(req);
    if (options.body !== undefined) {
      if (options.chunked) {
        const b = Buffer.from(options.body);
        for (let i = 0; i < b.length; i += 64 * 1024) req.write(b.subarray(i, i + 64 * 1024));
      } else {
        req.setHeader('content-length', Buffer.byteLength(options.body));
        req.write(options.body);
      }
    }
    req.end();
  });
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:\\\\.|[^"\\\\])*"';
const SAMPLE = new RegExp(
  `^(${NAME})(?:\\{${LABEL}(?:,${LABEL})*\\})? (?:-?[0-9.]+(?:e[+-]?[0-9]+)?|\\+Inf|-Inf|NaN)$`,
);

/** Problems with a Prometheus text exposition (format 0.0.4); empty when valid. */
export function prometheusProblems(text: string): string[] {
  const problems: string[] = [];
  const types = new Map<string, string>();
  if (!text.endsWith('\n')) problems.push('does not end with a newline');
  for (const line of text.split('\n').filter((l) => l !== '')) {
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      if (types.has(type[1]!)) problems.push(`TYPE twice for ${type[1]}`);
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (/^# HELP \S+ .*$/.test(line)) continue;
    const m = SAMPLE.exec(line);
    if (!m) {
      problems.push(`bad line: ${line}`);
      continue;
    }
    const name = m[1]!;
    const base = name.replace(/_(bucket|sum|count)$/, '');
    if (!types.has(name) && types.get(base) !== 'histogram') problems.push(`sample without TYPE: ${line}`);
  }
  return problems;
}
