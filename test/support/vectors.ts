// Loaders for the captured SLIM frames (two JSONL record formats) and kat.json.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { vectorsDir } from './paths.js';

export interface CapturedFrame {
  file: string;
  index: number;
  dir: 'c2s' | 's2c';
  stream: number;
  bytes: Uint8Array;
}

/** Every frame of every capture: `{kind:'frame', hex}` records and the MLS harness's `{raw}` records. */
export function loadAllFrames(): CapturedFrame[] {
  const root = vectorsDir();
  const files = [
    ...readdirSync(root)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => join(root, f)),
    ...readdirSync(join(root, 'mls'))
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => join(root, 'mls', f)),
  ];
  const frames: CapturedFrame[] = [];
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    lines.forEach((line, index) => {
      const rec = JSON.parse(line) as Record<string, unknown>;
      const hex = rec['kind'] === 'frame' ? rec['hex'] : rec['raw'];
      if (typeof hex !== 'string') return;
      frames.push({
        file: file.slice(root.length + 1),
        index,
        dir: rec['dir'] === 's2c' ? 's2c' : 'c2s',
        stream: Number(rec['stream'] ?? rec['conn'] ?? 0),
        bytes: Buffer.from(hex, 'hex'),
      });
    });
  }
  return frames;
}

export function loadKat(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(vectorsDir(), 'kat.json'), 'utf8')) as Record<string, unknown>;
}
