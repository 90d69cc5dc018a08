// `slim-gateway healthcheck [--url URL | --config FILE]`: one GET of a running gateway's /healthz,
// exit 0 on 200 and 1 otherwise, for container health checks in images that have no curl (the
// Dockerfile's HEALTHCHECK). With --config, the URL is the file's http.listen (a wildcard address
// is asked on loopback), so it follows the same variables as the gateway it checks.
import { formatHostPort } from '../../config/host-port.js';
import { loadConfigFile } from '../../config/load.js';
import { ConfigError } from '../../config/problems.js';
import { describeError } from '../../util/errors.js';
import { UsageError, parseFlags } from '../command.js';
import type { CliCommand } from '../command.js';

const DEFAULT_URL = 'http://127.0.0.1:8080/healthz';
const DEFAULT_TIMEOUT_MS = 3_000;

/** The address a local client uses to reach a listener bound to `host`. */
function reachableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '0:0:0:0:0:0:0:0') return '::1';
  return host;
}

export const command: CliCommand = {
  summary: 'check that a running gateway answers on /healthz (exit 0 or 1), for container health checks',
  usage: `usage: slim-gateway healthcheck [--url URL | --config FILE] [--timeout-ms N]

GETs the /healthz endpoint of a running \`slim-gateway run\` and exits 0 when it answers 200,
1 otherwise (not running, not listening yet, another answer, no answer within the timeout).
Prints one line saying which.

options:
  --url URL         the URL to ask (default ${DEFAULT_URL})
  --config FILE     ask http://<http.listen>/healthz of FILE (0.0.0.0 and :: are asked on loopback)
  --timeout-ms N    give up after N milliseconds (default ${DEFAULT_TIMEOUT_MS})
  --help            show this help`,

  async run(argv) {
    const { flags, positional } = parseFlags(argv, {
      url: 'string',
      config: 'string',
      'timeout-ms': 'string',
    });
    if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
    if (flags['url'] !== undefined && flags['config'] !== undefined)
      throw new UsageError('--url and --config are alternatives');
    const timeoutMs = flags['timeout-ms'] === undefined ? DEFAULT_TIMEOUT_MS : Number(flags['timeout-ms']);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1)
      throw new UsageError('--timeout-ms must be a positive integer');
    let url = typeof flags['url'] === 'string' ? flags['url'] : DEFAULT_URL;
    if (typeof flags['config'] === 'string') {
      try {
        const { listen } = loadConfigFile(flags['config'], process.env).http;
        url = `http://${formatHostPort({ host: reachableHost(listen.host), port: listen.port })}/healthz`;
      } catch (err) {
        console.error(err instanceof ConfigError ? err.message : describeError(err));
        return 1;
      }
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      await res.body?.cancel();
      if (res.status === 200) {
        console.log(`healthy: ${url} answered 200`);
        return 0;
      }
      console.log(`unhealthy: ${url} answered ${res.status}`);
      return 1;
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
      console.log(`unhealthy: ${url}: ${describeError(err)}${cause}`);
      return 1;
    }
  },
};
