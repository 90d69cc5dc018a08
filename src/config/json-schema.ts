// The JSON Schema of the configuration file, generated from the zod schema (so the two cannot
// disagree), for editors: `# yaml-language-server: $schema=./gateway.schema.json`. The committed
// config/gateway.schema.json is compared with this in a test; `npm run config:schema` rewrites it.
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { configSchema } from './schema.js';

export function configJsonSchema(): string {
  // draft-07 is what most editor YAML plugins understand; "input" describes what may be written
  // (defaulted keys optional).
  const schema = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-7', unrepresentable: 'any' });
  return JSON.stringify(schema, null, 2) + '\n';
}

export function writeConfigJsonSchema(path: string): void {
  writeFileSync(path, configJsonSchema());
}
