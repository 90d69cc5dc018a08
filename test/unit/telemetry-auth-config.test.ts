// Unit: the configuration keys of traces and authorization pass-through: `telemetry.otlpEndpoint`
// (OTEL_EXPORTER_OTLP_ENDPOINT when the file has none; the file wins, and then the variable is not
// read), checked like any URL with its path; `services[].forwardAuthorization`, off by default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SECRET, configFrom, problemsOf } from '../support/config.js';

const BASE = `
slim: { name: acme/demo/gateway, sharedSecret: ${SECRET} }
services:
  - { name: acme/demo/files, mcp: { url: "http://127.0.0.1:3001/mcp" } }
  - { name: acme/demo/secure, mcp: { url: "http://127.0.0.1:3002/mcp" }, forwardAuthorization: true }
  - { name: acme/demo/agent, a2a: { url: "http://127.0.0.1:9999" }, forwardAuthorization: true }
`;

test('telemetry: absent means off; from the file; from OTEL_EXPORTER_OTLP_ENDPOINT; the file wins', () => {
  assert.equal(configFrom(BASE).telemetry, undefined);
  assert.equal(configFrom(BASE, { OTEL_EXPORTER_OTLP_ENDPOINT: '' }).telemetry, undefined);
  assert.deepEqual(configFrom(`${BASE}telemetry: { otlpEndpoint: "http://127.0.0.1:4318" }\n`).telemetry, {
    otlpEndpoint: 'http://127.0.0.1:4318',
  });
  assert.deepEqual(configFrom(BASE, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).telemetry, {
    otlpEndpoint: 'http://collector:4318',
  });
  assert.deepEqual(
    configFrom(`${BASE}telemetry: { otlpEndpoint: "http://127.0.0.1:4318" }\n`, {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url',
    }).telemetry,
    { otlpEndpoint: 'http://127.0.0.1:4318' },
  );
});

test('telemetry: a bad endpoint or an unknown key is reported with its path', () => {
  const bad = problemsOf(`${BASE}telemetry: { otlpEndpoint: "grpc://127.0.0.1:4317", sampler: always }\n`);
  assert.deepEqual(bad.map((p) => p.path).sort(), ['telemetry.otlpEndpoint', 'telemetry.sampler']);
  assert.ok(bad.some((p) => p.path === 'telemetry.otlpEndpoint' && /http/.test(p.message)));
  assert.ok(bad.some((p) => /sampler/.test(p.message)));
  const env = problemsOf(BASE, { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' });
  assert.deepEqual(
    env.map((p) => [p.path, p.message]),
    [
      [
        'telemetry.otlpEndpoint',
        'OTEL_EXPORTER_OTLP_ENDPOINT "collector:4318" must be an http:// or https:// URL',
      ],
    ],
  );
});

test('forwardAuthorization: off unless a service asks for it', () => {
  const services = configFrom(BASE).services;
  assert.deepEqual(
    services.map((s) => s.forwardAuthorization),
    [false, true, true],
  );
  const wrong = problemsOf(BASE.replace('forwardAuthorization: true', 'forwardAuthorization: yes-please'));
  assert.ok(
    wrong.some((p) => p.path === 'services[1].forwardAuthorization'),
    JSON.stringify(wrong),
  );
});
