// The caller side of the A2A SLIMRPC binding (spec/slimrpc-a2a-mcp.md §2.1-2.2, §1.5): sends an
// operation to the remote agent's SLIM name over the service of an A2A version, converting the
// request from the client's version and the response back. It tries the client's version first;
// a remote that does not register that service answers UNIMPLEMENTED "Method not found", and the
// call is retried over the other version, which is then remembered for this target for a while.
// An A2A error that maps to UNIMPLEMENTED (e.g. UnsupportedOperationError) carries its
// `Name:` prefix and is NOT a reason to fall back. Zero-byte responses (google.protobuf.Empty)
// are decoded as empty messages; a pre-2.1 peer turns them into INTERNAL "No response received",
// which for an Empty-returning method means success.
import type { Message } from '@bufbuild/protobuf';
import type { Logger } from '../../../util/log.js';
import { RpcError, StatusCode } from '../../../slim/rpc/index.js';
import type { CallOptions, RpcClient } from '../../../slim/rpc/index.js';
import { withAuthorization } from '../authorization.js';
import { a2aErrorName } from '../errors.js';
import { SERVICE, convertRequest, convertResponse, decode, encode, sideOf } from '../methods/table.js';
import type { A2aVersion, Op } from '../methods/table.js';

/** How long a version found unsupported by the target is skipped. */
export const DEFAULT_VERSION_MEMORY_MS = 5 * 60_000;

/** True for the binding's "no such service/method" answer (not an A2A error of that status). */
export function isMethodNotFound(err: unknown): boolean {
  if (!(err instanceof RpcError) || err.status !== StatusCode.UNIMPLEMENTED) return false;
  const prefix = /^([A-Za-z][A-Za-z0-9]*Error):/.exec(err.message)?.[1];
  return prefix === undefined || a2aErrorName(prefix) === 'MethodNotFoundError';
}

function isLostEmptyResponse(err: unknown): boolean {
  return (
    err instanceof RpcError && err.status === StatusCode.INTERNAL && /No response received/i.test(err.message)
  );
}

export interface BindingCall {
  readonly metadata: Record<string, string>;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** The local client's Authorization header, carried inside the encrypted request. */
  readonly authorization?: string;
}

export class A2aBindingClient {
  private readonly unsupported = new Map<A2aVersion, number>();

  constructor(
    private readonly client: RpcClient,
    private readonly logger: Logger,
    private readonly memoryMs = DEFAULT_VERSION_MEMORY_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Versions to try, the client's first, skipping those the target was seen not to serve. */
  versionsFor(op: Op, clientVersion: A2aVersion): A2aVersion[] {
    const order: A2aVersion[] = clientVersion === '1.0' ? ['1.0', '0.3'] : ['0.3', '1.0'];
    const usable = order.filter((v) => sideOf(op, v) !== undefined);
    const fresh = usable.filter((v) => (this.unsupported.get(v) ?? 0) <= this.now());
    return fresh.length > 0 ? fresh : usable;
  }

  /** The version this target was last seen to serve (for cards and logs). */
  preferredVersion(): A2aVersion {
    return (this.unsupported.get('1.0') ?? 0) > this.now() ? '0.3' : '1.0';
  }

  /**
   * What the target's card says it serves over SLIMRPC: a version it does not list is tried last
   * for a while (a hint only; the fallback still covers a card that is wrong).
   */
  learn(served: ReadonlySet<A2aVersion>): void {
    if (served.size === 0) return;
    for (const v of ['1.0', '0.3'] as const)
      if (!served.has(v)) this.unsupported.set(v, this.now() + this.memoryMs);
  }

  private markUnsupported(version: A2aVersion): void {
    this.unsupported.set(version, this.now() + this.memoryMs);
    this.logger.debug({ version }, 'target does not serve this A2A version over SLIMRPC');
  }

  private options(call: BindingCall, version: A2aVersion): CallOptions {
    return {
      timeoutMs: call.timeoutMs,
      signal: call.signal,
      metadata: { ...call.metadata, 'a2a-version': version },
    };
  }

  /** A unary operation; `req` and the result are messages of `clientVersion`. */
  async unary(op: Op, clientVersion: A2aVersion, req: Message, call: BindingCall): Promise<Message> {
    const versions = this.versionsFor(op, clientVersion);
    let lastError: unknown;
    for (const version of versions) {
      const side = sideOf(op, version)!;
      const bytes = withAuthorization(
        encode(side.req, convertRequest(op, clientVersion, version, req)),
        call.authorization,
      );
      let answer: Uint8Array;
      try {
        answer = await this.client.unary(SERVICE[version], side.slim, bytes, this.options(call, version));
      } catch (err) {
        if (op.empty && isLostEmptyResponse(err)) answer = new Uint8Array(0);
        else if (isMethodNotFound(err) && version !== versions.at(-1)) {
          this.markUnsupported(version);
          lastError = err;
          continue;
        } else {
          if (isMethodNotFound(err)) this.markUnsupported(version);
          throw err;
        }
      }
      this.unsupported.delete(version);
      return convertResponse(
        op,
        version,
        clientVersion,
        decode(side.res, answer, 'InvalidAgentResponseError'),
      );
    }
    throw lastError;
  }

  /** A streaming operation; yields messages of `clientVersion` as they arrive. */
  async *stream(op: Op, clientVersion: A2aVersion, req: Message, call: BindingCall): AsyncGenerator<Message> {
    const versions = this.versionsFor(op, clientVersion);
    for (const version of versions) {
      const side = sideOf(op, version)!;
      const bytes = withAuthorization(
        encode(side.req, convertRequest(op, clientVersion, version, req)),
        call.authorization,
      );
      const items = this.client.serverStream(SERVICE[version], side.slim, bytes, this.options(call, version));
      const it = items[Symbol.asyncIterator]();
      let first: IteratorResult<Uint8Array>;
      try {
        first = await it.next();
      } catch (err) {
        if (isMethodNotFound(err)) {
          this.markUnsupported(version);
          if (version !== versions.at(-1)) continue;
        }
        throw err;
      }
      this.unsupported.delete(version);
      const convert = (b: Uint8Array) =>
        convertResponse(op, version, clientVersion, decode(side.res, b, 'InvalidAgentResponseError'));
      try {
        for (let r = first; !r.done; r = await it.next()) yield convert(r.value);
      } finally {
        await it.return?.();
      }
      return;
    }
  }
}
