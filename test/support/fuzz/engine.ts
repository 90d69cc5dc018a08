// Runs one fuzz target for a number of inputs (docs/security.md, "Fuzzing"). A finding is a broken
// contract (see targets.ts), a decoder that ran longer than `slowMs` on one input (a hang in the
// making), or a heap that grew past `heapLimitBytes` (an allocation an input can inflate).
import { Random } from './random.js';
import type { Target } from './targets.js';

export interface FuzzOptions {
  count: number;
  seed: number;
  slowMs?: number;
  heapLimitBytes?: number;
  /** Stop at this many findings (default 5). */
  maxFindings?: number;
}

export interface FuzzFinding {
  index: number;
  message: string;
  /** The input, hex (bytes) or JSON (text), to replay it. */
  input: string;
}

export interface FuzzReport {
  target: string;
  inputs: number;
  ms: number;
  slowestMs: number;
  maxHeapMiB: number;
  findings: FuzzFinding[];
}

export function fuzz(target: Target, options: FuzzOptions): FuzzReport {
  const rnd = new Random(options.seed);
  const slowMs = options.slowMs ?? 2000;
  const heapLimit = options.heapLimitBytes ?? 1024 * 2 ** 20;
  const maxFindings = options.maxFindings ?? 5;
  const findings: FuzzFinding[] = [];
  let slowest = 0;
  let maxHeap = 0;
  const started = performance.now();
  let i = 0;
  for (; i < options.count && findings.length < maxFindings; i++) {
    const input = target.input(rnd);
    const show = () =>
      typeof input === 'string' ? JSON.stringify(input) : Buffer.from(input).toString('hex');
    const t = performance.now();
    try {
      target.run(input);
    } catch (err) {
      findings.push({ index: i, message: err instanceof Error ? err.message : String(err), input: show() });
    }
    const took = performance.now() - t;
    if (took > slowest) slowest = took;
    if (took > slowMs) findings.push({ index: i, message: `took ${took.toFixed(0)} ms`, input: show() });
    if ((i & 1023) === 0) {
      const heap = process.memoryUsage().heapUsed;
      if (heap > maxHeap) maxHeap = heap;
      if (heap > heapLimit) findings.push({ index: i, message: `heap at ${heap} bytes`, input: show() });
    }
  }
  return {
    target: target.name,
    inputs: i,
    ms: performance.now() - started,
    slowestMs: slowest,
    maxHeapMiB: maxHeap / 2 ** 20,
    findings,
  };
}
