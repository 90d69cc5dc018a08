// Deadlines and cancellation helpers shared by every layer.
import { GatewayError } from './errors.js';

/** A signal that fires when any input fires, or after `timeoutMs` (TIMEOUT) if given. */
export function combineSignals(
  signals: (AbortSignal | undefined)[],
  timeoutMs?: number,
): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const cleanups: (() => void)[] = [];
  for (const s of signals) {
    if (!s) continue;
    if (s.aborted) {
      controller.abort(s.reason);
      break;
    }
    const onAbort = () => controller.abort(s.reason);
    s.addEventListener('abort', onAbort, { once: true });
    cleanups.push(() => s.removeEventListener('abort', onAbort));
  }
  if (timeoutMs !== undefined && !controller.signal.aborted) {
    const t = setTimeout(
      () => controller.abort(new GatewayError('TIMEOUT', `deadline of ${timeoutMs} ms exceeded`)),
      Math.max(0, timeoutMs),
    );
    cleanups.push(() => clearTimeout(t));
  }
  const dispose = () => {
    for (const c of cleanups.splice(0)) c();
  };
  // Once fired, nothing more can happen: release timers and listeners at once (an input that
  // was already aborted fired it above, before this listener existed).
  if (controller.signal.aborted) dispose();
  else controller.signal.addEventListener('abort', dispose, { once: true });
  return { signal: controller.signal, dispose };
}

/** The abort reason as a GatewayError (CANCELLED unless the reason already is one). */
export function abortError(signal: AbortSignal): GatewayError {
  const r: unknown = signal.reason;
  if (r instanceof GatewayError) return r;
  return new GatewayError('CANCELLED', 'operation cancelled', { cause: r });
}

/** Resolves with the promise, or rejects with the signal's reason when it fires first. */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** setTimeout as a promise that an AbortSignal can cut short (rejecting). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return raceSignal(new Promise<void>((r) => setTimeout(r, ms).unref?.()), signal);
}

/** The calls that depend on one signal through derivedSignal, and its one listener. */
interface Hub {
  readonly branches: Set<AbortController>;
  readonly onAbort: () => void;
}

const hubs = new WeakMap<AbortSignal, Hub>();

/**
 * A signal of its own for one call that must end with `parent`: any number of them, in flight at
 * once, put one listener on `parent` (a fan-out to N peers, or every call of a long-lived route,
 * would otherwise add one each, and Node warns past 10 on one signal). `release()` when the call
 * is over; the parent's listener goes with the last one released.
 */
export function derivedSignal(parent: AbortSignal | undefined): {
  signal: AbortSignal | undefined;
  release: () => void;
} {
  if (!parent) return { signal: undefined, release: () => {} };
  const own = new AbortController();
  if (parent.aborted) {
    own.abort(parent.reason);
    return { signal: own.signal, release: () => {} };
  }
  let hub = hubs.get(parent);
  if (!hub) {
    const branches = new Set<AbortController>();
    const onAbort = () => {
      hubs.delete(parent);
      for (const b of branches) b.abort(parent.reason);
      branches.clear();
    };
    hub = { branches, onAbort };
    hubs.set(parent, hub);
    parent.addEventListener('abort', onAbort, { once: true });
  }
  const h = hub;
  h.branches.add(own);
  return {
    signal: own.signal,
    release: () => {
      if (!h.branches.delete(own) || h.branches.size > 0) return;
      parent.removeEventListener('abort', h.onAbort);
      if (hubs.get(parent) === h) hubs.delete(parent);
    },
  };
}
