// Every Publish in the captured SLIM traffic, with where it came from, for the MLS vector tests.
// Most records carry the frame's bytes; the proxy harness also logged messages it injected or
// consumed (no bytes, only its protobufjs JSON), which are turned back into frames here: oneof
// virtual keys dropped, protobufjs names (`strComponent_0`) mapped to JSON names (`strComponent0`).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fromJson } from '@bufbuild/protobuf';
import type { JsonValue } from '@bufbuild/protobuf';
import { MessageSchema, decodeMessage } from '../../src/slim/proto/index.js';
import type { Message, Publish } from '../../src/slim/proto/index.js';
import { vectorsDir } from './paths.js';

export interface CapturedPublish {
  file: string;
  line: number;
  dir: string;
  /** True when rebuilt from the harness's JSON rather than captured bytes. */
  fromJson: boolean;
  publish: Publish;
}

const ONEOF_NAMES = new Set(['messageType', 'contentType', 'commandPayloadType']);

function normalise(value: unknown): JsonValue {
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) {
      if (ONEOF_NAMES.has(k) && typeof v === 'string') continue;
      out[k.replace(/_(\d)/g, '$1')] = normalise(v);
    }
    return out;
  }
  return value as JsonValue;
}

function captureFiles(): string[] {
  const root = vectorsDir();
  return [
    ...readdirSync(root)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => join(root, f)),
    ...readdirSync(join(root, 'mls'))
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => join(root, 'mls', f)),
  ];
}

export function loadCapturedPublishes(): CapturedPublish[] {
  const root = vectorsDir();
  const out: CapturedPublish[] = [];
  for (const path of captureFiles()) {
    const file = path.slice(root.length + 1);
    readFileSync(path, 'utf8')
      .split('\n')
      .forEach((text, line) => {
        if (!text) return;
        const rec = JSON.parse(text) as Record<string, unknown>;
        const hex = rec['kind'] === 'frame' ? rec['hex'] : rec['raw'];
        let msg: Message;
        let rebuilt = false;
        if (typeof hex === 'string') msg = decodeMessage(Buffer.from(hex, 'hex'));
        else if (rec['msg'] && typeof rec['msg'] === 'object') {
          msg = fromJson(MessageSchema, normalise(rec['msg']));
          rebuilt = true;
        } else return;
        if (msg.messageType.case !== 'publish') return;
        out.push({ file, line, dir: String(rec['dir']), fromJson: rebuilt, publish: msg.messageType.value });
      });
  }
  return out;
}
