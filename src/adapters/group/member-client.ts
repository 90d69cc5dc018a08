// The RPC client of one group member, as the group adapters use it: every call gets a signal of its
// own derived from the caller's (util/abort.ts derivedSignal). A group calls all its members with
// one request's signal, so without this each member call would add its own listener to that one
// signal (and every call of the route to the route's closing signal): with more than 10 members,
// Node's MaxListenersExceededWarning, and listener lists growing with the group. Each call's
// derived signal is released when the call ends (its promise settles, its stream ends or the
// reader stops).
import type { CallOptions, RpcClient } from '../../slim/rpc/index.js';
import { derivedSignal } from '../../util/abort.js';

function own(options: CallOptions | undefined) {
  const d = derivedSignal(options?.signal);
  const opts: CallOptions | undefined = d.signal ? { ...options, signal: d.signal } : options;
  return { opts, release: d.release };
}

async function settled<T>(p: Promise<T>, release: () => void): Promise<T> {
  try {
    return await p;
  } finally {
    release();
  }
}

function stream(inner: AsyncIterable<Uint8Array>, release: () => void): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]() {
      const it = inner[Symbol.asyncIterator]();
      return {
        async next() {
          try {
            const r = await it.next();
            if (r.done) release();
            return r;
          } catch (err) {
            release();
            throw err;
          }
        },
        async return(value?: unknown) {
          release();
          return it.return ? it.return(value) : { done: true as const, value: undefined };
        },
      };
    },
  };
}

/** `client`, each call with its own derived signal. */
export function memberClient(client: RpcClient): RpcClient {
  return {
    target: client.target,
    unary(service, method, request, options) {
      const { opts, release } = own(options);
      return settled(client.unary(service, method, request, opts), release);
    },
    serverStream(service, method, request, options) {
      const { opts, release } = own(options);
      try {
        return stream(client.serverStream(service, method, request, opts), release);
      } catch (err) {
        release();
        throw err;
      }
    },
    clientStream(service, method, requests, options) {
      const { opts, release } = own(options);
      return settled(client.clientStream(service, method, requests, opts), release);
    },
    bidiStream(service, method, requests, options) {
      const { opts, release } = own(options);
      try {
        return stream(client.bidiStream(service, method, requests, opts), release);
      } catch (err) {
        release();
        throw err;
      }
    },
    close: () => client.close(),
  };
}
