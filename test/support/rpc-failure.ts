// For tests of calls that must fail: the RpcError a call settles with (a hang guard instead of a
// test timeout), and a service whose `Hang` waits until the call is cancelled.
import assert from 'node:assert/strict';
import { RpcError } from '../../src/slim/rpc/index.js';
import type { ServiceDefinition } from '../../src/slim/rpc/index.js';
import { withTimeout } from './session-apps.js';

/** The RpcError `p` rejects with (fails the test if it resolves or fails otherwise). */
export async function rpcFailure(p: Promise<unknown>, timeoutMs = 60_000): Promise<RpcError> {
  const err = await withTimeout(
    p.then(
      () => undefined,
      (e: unknown) => e,
    ),
    timeoutMs,
    'the call to settle',
  );
  assert.ok(err instanceof RpcError, `expected an RpcError, got ${String(err)}`);
  return err;
}

/** Methods `Echo` and `Hang` (calls `entered`, then waits for the call's cancellation). */
export function echoAndHang(entered: () => void): ServiceDefinition['methods'] {
  return {
    Echo: { kind: 'unary', handler: (r) => Promise.resolve(r) },
    Hang: {
      kind: 'unary',
      handler: (_r, ctx) => {
        entered();
        return new Promise((_, reject) =>
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)),
        );
      },
    },
  };
}
