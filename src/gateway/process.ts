// The `run` process lifecycle around a Gateway: loud warnings for risky settings, the start-up
// warm-up (warm-up.ts), the startup banner, hot reload (file watch and SIGHUP), and shutdown on
// SIGINT/SIGTERM (stop accepting, let in-flight calls finish for shutdownGraceMs, fail the rest,
// stop children, exit 0). A second signal forces an immediate exit (code 1). Shared by the `run`
// command and the test fixture that runs a gateway on in-memory deps.
import type { GatewayConfig } from '../config/types.js';
import { watchConfigFile } from '../config/reload.js';
import type { ConfigWatcher } from '../config/reload.js';
import { isLoopbackHost } from '../config/host-port.js';
import { createGateway } from './index.js';
import type { Gateway } from './index.js';
import { describeError } from '../util/errors.js';
import { lingerAfterStopSignal, onStopSignals } from '../util/stop-signals.js';
import { childLogger } from '../util/log.js';
import type { Logger } from '../util/log.js';
import type { AppHandle, GatewayDeps, NodeHandle } from './deps.js';
import { startupHint } from './port-hints.js';
import { summaryLines } from './summary.js';

export interface RunOptions<N extends NodeHandle, A extends AppHandle> {
  readonly config: GatewayConfig;
  readonly deps: GatewayDeps<N, A>;
  readonly logger: Logger;
  /** For `${VAR}` on reload and for spawned processes. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The file to watch for reloads (config.reload permitting). */
  readonly configFile?: string;
  readonly version: string;
}

/** Warnings that must not scroll by unnoticed. */
export function riskWarnings(config: GatewayConfig): string[] {
  const out: string[] = [];
  for (const d of config.defaultedVariables) {
    if (d.path === 'slim.sharedSecret')
      out.push(
        `slim.sharedSecret is the built-in development default because ${d.variable} is not set: ` +
          `anyone who has this file can join your SLIM sessions. Set ${d.variable} to a secret of your own.`,
      );
  }
  if (!config.slim.mls) out.push('slim.mls is false: sessions are NOT end-to-end encrypted.');
  out.push(...identityWarnings(config));
  out.push(...nodeWarnings(config));
  if (!isLoopbackHost(config.http.listen.host) && config.http.bearerTokens.length === 0)
    out.push(
      'http.listen is not a loopback address and http.bearerTokens is empty: anyone who can reach ' +
        'this address can call your SLIM services.',
    );
  return out;
}

/** The embedded node's listener reachable from the network without authentication or TLS. */
function nodeWarnings(config: GatewayConfig): string[] {
  const { node, nodeAuth } = config.slim;
  const out: string[] = [];
  if (node.kind === 'embedded' && !isLoopbackHost(node.listen.host)) {
    if (!node.server.auth)
      out.push(
        'slim.listen is not a loopback address and slim.server.auth is not set: anyone who can reach ' +
          'the embedded node can link to it and reach your SLIM apps.',
      );
    if (!node.server.tls)
      out.push(
        'slim.listen is not a loopback address and slim.server.tls is not set: links are not encrypted.',
      );
  }
  if (node.kind === 'remote' && nodeAuth && node.url.startsWith('http://'))
    out.push('slim.nodeAuth is sent to an http:// node: anyone on the path can read it. Use https://.');
  return out;
}

/** Runs until a signal; resolves with the exit code. */
export async function runGatewayProcess<N extends NodeHandle, A extends AppHandle>(
  options: RunOptions<N, A>,
): Promise<number> {
  const log = options.logger;
  for (const w of riskWarnings(options.config)) log.warn(`WARNING: ${w}`);

  let gateway: Gateway | undefined;
  let resolveStop!: (signal: string) => void;
  const stop = new Promise<string>((r) => (resolveStop = r));
  onStopSignals({
    stop: (signal) => resolveStop(signal),
    force: (signal) => {
      log.error({ signal }, 'second signal: exiting now, without waiting for in-flight calls');
      process.exit(1);
    },
  });

  let watcher: ConfigWatcher | undefined;
  const onHup = () => void watcher?.check();
  try {
    log.info({ version: options.version, config: options.configFile }, 'slim-gateway starting');
    const starting = createGateway(options.config, options.deps, { logger: log, processEnv: options.env });
    gateway = await Promise.race([starting, stop.then(() => undefined)]);
    if (!gateway) {
      log.info('stopping before the gateway finished starting');
      // Start-up gets the shutdown grace to finish (so what it opened is closed), never more.
      let timer: NodeJS.Timeout | undefined;
      const late = await Promise.race([
        starting.catch(() => undefined),
        new Promise<undefined>((resolve) => {
          timer = setTimeout(() => resolve(undefined), options.config.shutdownGraceMs);
        }),
      ]);
      clearTimeout(timer);
      if (!late) log.warn('start-up did not finish within the shutdown grace: exiting without it');
      await late?.close(0);
      return 0;
    }
    // Optimise the per-call path before the first user call (bounded; never fails start-up).
    // /readyz already answers; a call arriving meanwhile waits at most one warm-up call.
    if (options.config.warmUp) {
      const warming = new AbortController();
      void stop.then(() => warming.abort());
      await import('./warm-up.js')
        .then(({ warmUp }) => warmUp({ logger: childLogger(log, 'warm-up'), signal: warming.signal }))
        .catch((err: unknown) => log.warn({ err: describeError(err) }, 'start-up warm-up not run'));
    }
    log.info({ url: gateway.url }, `slim-gateway ${options.version} ready`);
    for (const line of summaryLines(gateway.summary())) log.info(`  ${line}`);
    const ready = gateway.readiness();
    if (!ready.ready) log.warn({ reasons: ready.reasons }, 'not ready yet (see /readyz)');

    if (options.configFile && options.config.reload) {
      const gw = gateway;
      watcher = watchConfigFile(options.configFile, {
        env: options.env,
        logger: log,
        onChange: async (next) => {
          await gw.reload(next);
          for (const line of summaryLines(gw.summary())) log.info(`  ${line}`);
        },
      });
      process.on('SIGHUP', onHup);
    }

    const signal = await stop;
    log.info(
      { signal, graceMs: gateway.config.shutdownGraceMs },
      'shutting down (send the signal again to force)',
    );
    watcher?.close();
    await gateway.close();
    log.info('bye');
    await lingerAfterStopSignal();
    return 0;
  } catch (err) {
    log.error({ err: describeError(err) }, 'slim-gateway failed');
    const hint = startupHint(err, options.config, options.configFile);
    if (hint) log.error(hint);
    await gateway?.close(0);
    return 1;
  } finally {
    process.off('SIGHUP', onHup);
    // Signals keep their handler until exit so a second one still forces it.
    // Safety net: if a stray handle kept the event loop alive, leave anyway.
    setTimeout(() => process.exit(process.exitCode ?? 0), 3_000).unref();
  }
}

/** A JWT identity that peers with the same settings would refuse, or keys fetched in the clear. */
function identityWarnings(config: GatewayConfig): string[] {
  const id = config.slim.identity;
  if (id.kind !== 'jwt') return [];
  const out: string[] = [];
  const { trust } = id;
  if (trust.audience !== undefined && !id.audience.includes(trust.audience))
    out.push(
      `slim.jwt.audience does not include slim.trust.audience (${trust.audience}): gateways configured ` +
        'like this one refuse its tokens.',
    );
  if (trust.issuers.length > 0 && (id.issuer === undefined || !trust.issuers.includes(id.issuer)))
    out.push(
      `slim.jwt.issuer is not among slim.trust.issuers: gateways configured like this one refuse its tokens.`,
    );
  if (trust.jwksUrl?.startsWith('http://') && !isLoopbackHost(new URL(trust.jwksUrl).hostname))
    out.push(
      'slim.trust.jwksUrl is plain http: whoever sits on the path can make this gateway trust any key.',
    );
  return out;
}
