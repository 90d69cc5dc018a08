// The resident memory of a process we started (an MCP stdio server), for the per-session memory
// report (docs/mcp-over-slimrpc.md §4.2): VmRSS from /proc/<pid>/status on Linux; undefined
// elsewhere or when the process is gone. Counts that process only, not children it started.
import { readFileSync } from 'node:fs';

export function processRssBytes(pid: number | undefined): number | undefined {
  if (pid === undefined || process.platform !== 'linux') return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
