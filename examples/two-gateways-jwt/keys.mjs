#!/usr/bin/env node
// Generates the keys of the two-gateways-jwt example in ./keys (next to this script, or in the
// directory given as the first argument): one ES256 private key per gateway (PEM, PKCS#8, mode
// 0600) and one JWKS with both public keys (kid = the gateway's subject, alg ES256: the reference
// SLIM implementation needs `alg` on every JWKS key). Private keys are never committed; run this
// once per deployment. Existing keys are kept unless --force is given.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const force = args.includes('--force');
const base = resolve(args.find((a) => !a.startsWith('--')) ?? dirname(fileURLToPath(import.meta.url)));
const dir = join(base, 'keys');
const gateways = [
  { file: 'server-gateway', subject: 'acme/demo/server-gateway' },
  { file: 'client-gateway', subject: 'acme/demo/client-gateway' },
];

mkdirSync(dir, { recursive: true, mode: 0o700 });
if (!force && gateways.some((g) => existsSync(join(dir, `${g.file}.pem`)))) {
  console.error(`${dir} already holds keys; use --force to replace them`);
  process.exit(1);
}
const keys = [];
for (const g of gateways) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(join(dir, `${g.file}.pem`), privateKey.export({ format: 'pem', type: 'pkcs8' }), {
    mode: 0o600,
  });
  keys.push({ ...publicKey.export({ format: 'jwk' }), alg: 'ES256', use: 'sig', kid: g.subject });
}
writeFileSync(join(dir, 'peers.jwks.json'), `${JSON.stringify({ keys }, null, 2)}\n`);
console.log(`wrote ${gateways.map((g) => `${g.file}.pem`).join(', ')} and peers.jwks.json in ${dir}`);
