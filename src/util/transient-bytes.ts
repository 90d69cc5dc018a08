// Short-lived byte buffers for the per-message paths (the node's forwarded frames, the MLS seal's
// intermediate buffers). `new Uint8Array(n)` gives every buffer its own zero-filled memory outside
// the JavaScript heap, which the garbage collector then tracks and frees one by one; measured on a
// forwarded 1 KiB frame, 3.5-5.7 µs of CPU per buffer against 1.0-1.8 µs for a slice of Node's
// shared 8 KiB pool (BENCHMARKS.md, "Data plane: node forwarding").
// Rules for callers: write every byte (the memory is not cleared), and do not keep the buffer past
// the message's own processing: a slice that lives on keeps its whole pool chunk alive with it.

/**
 * `n` uninitialised bytes from Node's buffer pool (its own memory from 4 KiB up), as a plain
 * Uint8Array: its `slice()` copies, as code written for Uint8Array expects (a Buffer's would not).
 */
export function transientBytes(n: number): Uint8Array {
  const b = Buffer.allocUnsafe(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}
