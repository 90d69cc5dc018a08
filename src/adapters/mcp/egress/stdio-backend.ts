// A backend connection to an MCP server spawned over stdio (docs/mcp-over-slimrpc.md §5.1), through
// the MCP SDK's own StdioClientTransport: it spawns without a shell, gives the child only the SDK's
// safe default environment plus the configured variables, frames newline-delimited JSON and shuts
// the child down politely (stdin end, SIGTERM, SIGKILL). We add: stderr read line by line and logged
// (never MCP payloads), the last lines kept and logged when the process dies unexpectedly.
// The SDK is imported when the first process is started: it is the largest module a gateway
// would otherwise load (~8 MiB of heap, ~20 MiB RSS), and only stdio services use it.
import type { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { Logger } from '../../../util/log.js';
import { GatewayError, describeError } from '../../../util/errors.js';
import { classify } from '../jsonrpc.js';
import type { JsonRpcMessage } from '../jsonrpc.js';
import type { BackendConnection, BackendEvents } from './backend.js';

export interface StdioBackendSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

const STDERR_TAIL_LINES = 20;
const STDERR_LINE_CHARS = 500;
/** Largest line the SDK's reader accepts from the server before closing the connection. */
const MAX_LINE_BYTES = 16 * 1024 * 1024;

export function stdioBackend(
  spec: StdioBackendSpec,
  events: BackendEvents,
  logger: Logger,
): BackendConnection {
  let transport: StdioClientTransport | undefined;
  let closing = false;
  let gone = false;
  const tail: string[] = [];

  const finish = (reason: string) => {
    if (gone) return;
    gone = true;
    if (!closing) logger.warn({ stderrTail: tail.slice(-5) }, `MCP server process ended: ${reason}`);
    events.closed(reason);
  };

  const watchStderr = (t: StdioClientTransport) => {
    let partial = '';
    t.stderr?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = (lines.pop() ?? '').slice(-STDERR_LINE_CHARS);
      for (const raw of lines) {
        const line = raw.replace(/\r$/, '').slice(0, STDERR_LINE_CHARS);
        if (!line) continue;
        tail.push(line);
        if (tail.length > STDERR_TAIL_LINES) tail.shift();
        logger.debug({ stderr: line }, 'MCP server stderr');
      }
    });
  };

  const live = (): StdioClientTransport => {
    if (!transport || gone) throw new GatewayError('UNAVAILABLE', 'MCP server process is not running');
    return transport;
  };

  const write = async (message: JsonRpcMessage) => {
    try {
      // Our loosely typed message is exactly what the SDK serializes (JSON.stringify + newline).
      await live().send(message as unknown as Parameters<StdioClientTransport['send']>[0]);
    } catch (err) {
      throw new GatewayError('UNAVAILABLE', `cannot write to the MCP server: ${describeError(err)}`, {
        cause: err,
      });
    }
  };

  return {
    async start() {
      const { StdioClientTransport } = await import('@modelcontextprotocol/client/stdio');
      // Closed while the SDK was loading: spawn nothing.
      if (closing) throw new GatewayError('CLOSED', 'MCP server connection closed before it started');
      const t = new StdioClientTransport({
        command: spec.command,
        args: [...spec.args],
        ...(spec.env ? { env: { ...spec.env } } : {}),
        ...(spec.cwd ? { cwd: spec.cwd } : {}),
        stderr: 'pipe',
        maxBufferSize: MAX_LINE_BYTES,
      });
      transport = t;
      watchStderr(t);
      t.onmessage = (message: unknown) => {
        const c = classify(message);
        if (c.ok) events.message(c.value, { kind: 'unknown' });
        else logger.debug({ reason: c.message }, 'MCP server sent a message that is not JSON-RPC; dropped');
      };
      t.onerror = (err: Error) => logger.debug({ err: describeError(err) }, 'MCP server transport error');
      t.onclose = () => finish('the process exited');
      try {
        await t.start();
      } catch (err) {
        gone = true;
        throw new GatewayError('UNAVAILABLE', `cannot run "${spec.command}": ${describeError(err)}`, {
          cause: err,
        });
      }
      logger.info({ pid: t.pid, command: spec.command }, 'MCP server process started');
    },
    request: (message) => write(message),
    send: (message) => write(message),
    cancel: (notification) => write(notification),
    openUnsolicited() {
      // stdio has one stream; the lane routes unsolicited traffic itself.
    },
    pid: () => (gone ? undefined : (transport?.pid ?? undefined)),
    async close() {
      if (closing) return;
      closing = true;
      const t = transport;
      if (t && !gone) {
        const pid = t.pid;
        await t.close().catch(() => {});
        logger.info({ pid }, 'MCP server process stopped');
      }
      finish('closed');
    },
  };
}
