// Benchmark harness: every bench module exports `benches: Bench[]`; `npm run bench` runs them
// (or those whose name contains an argument), prints a table and writes bench-results.json.
// Results are always pairs measured in the same run (ours against a peer), reported as ratios;
// nothing here asserts a threshold.
import { readFileSync } from 'node:fs';

export interface Measurement {
  /** What was measured, e.g. "node forwarding 1 KiB, 1x1". */
  name: string;
  /** Unit of `ours` and `peer`, e.g. "msg/s", "ms p50". */
  unit: string;
  ours: number;
  /** The same figure for the peer (reference implementation, direct call, default provider...). */
  peer?: number;
  /** Who the peer is. */
  peerLabel?: string;
  /** Whether larger is better (throughput) or smaller (latency). */
  better: 'higher' | 'lower';
  notes?: string;
}

export interface Bench {
  name: string;
  run(): Promise<Measurement[]>;
}

/** Percentile of a sample (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export function summarize(samplesMs: number[]): { p50: number; p99: number; mean: number } {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean };
}

/**
 * A whole-number knob from the environment (a count or a duration): `fallback` when unset; a
 * clear error, naming the variable, for anything else than digits (`Number()` would give NaN for
 * a typo, or 0 for an empty string, and the bench would run on it).
 */
export function envCount(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined) return fallback;
  if (!/^\d{1,15}$/.test(raw.trim()))
    throw new Error(`${name}="${raw}": expected a whole number (${fallback} when unset)`);
  return Number(raw.trim());
}

/**
 * User + system CPU time (ms) a process has used so far, from /proc/PID/stat (Linux; fields 14 and
 * 15 after the command in parentheses, in ticks of 10 ms).
 */
export function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
