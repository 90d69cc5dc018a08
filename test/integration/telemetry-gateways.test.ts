// Traces across two gateway processes (`slim-gateway run`, production wiring, MLS on): an MCP
// tools/call (the official SDK client) and an A2A SendMessage (JSON-RPC over HTTP), each carrying
// the client's W3C traceparent. An OTLP/HTTP receiver in the test collects what the OpenTelemetry
// exporters send; recording proxies show what reached the MCP server and the A2A agent.
//   1. telemetry on at both ends (the route side by `telemetry.otlpEndpoint`, the service side by
//      OTEL_EXPORTER_OTLP_ENDPOINT): one trace, a route span and a service span per call with the
//      call's attributes, the service span the route span's child, the upstream request the
//      service span's child; an access log line per call on each side.
//   2. telemetry off at the service side: nothing of it reaches the receiver, and the route's
//      trace context reaches the upstream unchanged.
//   3. MCP and A2A group routes and a route with a tools filter: each member's service span is the
//      route span's child, and the filtered route passes its context on like any other.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startPlannerAgent } from '../../examples/agents/planner-agent.js';
import { startGatewayProcess } from '../support/a2a-gateways.js';
import type { GatewayProcess } from '../support/a2a-gateways.js';
import { startTestHttpServer } from '../support/mcp/test-server.js';
import { startOtlpReceiver } from '../support/otlp-receiver.js';
import type { OtlpReceiver, ReceivedSpan } from '../support/otlp-receiver.js';
import { startRecordingProxy } from '../support/recording-proxy.js';
import type { RecordingProxy } from '../support/recording-proxy.js';
import { freePort } from '../support/reference.js';
import { SHARED_SECRET } from '../support/real-gateway.js';
import { until } from '../support/until.js';

const HANG_GUARD = { timeout: 120_000 };
const CLIENT_GW = 'acme/demo/client-gateway';
const SERVER_GW = 'acme/demo/server-gateway';

interface Deployment {
  readonly client: GatewayProcess;
  readonly server: GatewayProcess;
  readonly mcpUpstream: RecordingProxy;
  readonly agentUpstream: RecordingProxy;
}

/** The two gateway processes: services on the server side, routes on the client side. */
async function startPair(
  t: TestContext,
  receiver: OtlpReceiver,
  o: { services: string; routes: string; serverTelemetry: boolean },
): Promise<{ client: GatewayProcess; server: GatewayProcess }> {
  const port = await freePort();
  const server = await startGatewayProcess(
    `
slim: { node: embedded, listen: 127.0.0.1:${port}, name: ${SERVER_GW}, sharedSecret: ${SHARED_SECRET} }
http: { listen: 127.0.0.1:0 }
services:
${o.services}
`,
    // The environment variable alone turns it on; empty, it stays off.
    { OTEL_EXPORTER_OTLP_ENDPOINT: o.serverTelemetry ? receiver.url : '' },
  );
  t.after(() => server.stop());
  const client = await startGatewayProcess(
    `
slim: { node: "http://127.0.0.1:${port}", name: ${CLIENT_GW}, sharedSecret: ${SHARED_SECRET} }
http: { listen: 127.0.0.1:0 }
routes:
${o.routes}
telemetry: { otlpEndpoint: "${receiver.url}" }
`,
    { OTEL_EXPORTER_OTLP_ENDPOINT: '' },
  );
  t.after(() => client.stop());
  await until(
    async () => (await fetch(`${client.url}/readyz`).catch(() => undefined))?.status === 200,
    'the route side to be ready',
    30_000,
  );
  return { client, server };
}

/** The MCP server and the agent, each behind a recording proxy; all closed after the test. */
async function upstreams(t: TestContext) {
  const mcp = await startTestHttpServer();
  t.after(() => mcp.close());
  const mcpUpstream = await startRecordingProxy(mcp.url);
  t.after(() => mcpUpstream.close());
  const agent = await startPlannerAgent({ stepDelayMs: 0 });
  t.after(() => agent.close());
  const agentUpstream = await startRecordingProxy(agent.url);
  t.after(() => agentUpstream.close());
  return { mcpUpstream, agentUpstream };
}

async function deploy(t: TestContext, receiver: OtlpReceiver, serverTelemetry: boolean): Promise<Deployment> {
  const { mcpUpstream, agentUpstream } = await upstreams(t);
  const { client, server } = await startPair(t, receiver, {
    services: `  - { name: acme/demo/tools, mcp: { url: "${mcpUpstream.url}/mcp" } }
  - { name: acme/demo/planner, a2a: { url: "${agentUpstream.url}" } }`,
    routes: `  - { path: /mcp/tools, mcp: acme/demo/tools }
  - { path: /a2a/planner, a2a: acme/demo/planner }`,
    serverTelemetry,
  });
  return { client, server, mcpUpstream, agentUpstream };
}

function newTraceparent(): { traceId: string; header: string } {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, header: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
}

async function mcpToolCall(url: string, traceparent: string): Promise<void> {
  const client = new Client({ name: 'trace-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { traceparent, tracestate: 'vendor=test' } },
  });
  await client.connect(transport);
  try {
    const res = await client.callTool({ name: 'echo', arguments: { text: 'traced' } });
    assert.deepEqual(res.content, [{ type: 'text', text: 'traced' }]);
  } finally {
    await client.close();
  }
}

async function a2aSendMessage(url: string, traceparent: string): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'a2a-version': '1.0', traceparent },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'SendMessage',
      params: { message: { messageId: 'm-1', role: 'ROLE_USER', parts: [{ text: 'plan a trip' }] } },
    }),
  });
  const body = (await res.json()) as { result?: unknown; error?: unknown };
  assert.equal(res.status, 200);
  assert.ok(body.result, `SendMessage answered ${JSON.stringify(body.error)}`);
}

/** The span of `gateway` in trace `traceId` named `name`. */
function spanOf(spans: ReceivedSpan[], gateway: string, traceId: string, name: string) {
  return spans.find((s) => s.gateway === gateway && s.traceId === traceId && s.name === name);
}

/** The parent span id of a traceparent header. */
const parentIdOf = (traceparent: unknown) => String(traceparent).split('-')[2];
const traceIdOf = (traceparent: unknown) => String(traceparent).split('-')[1];

test('one trace across both gateways for an MCP call and an A2A call', HANG_GUARD, async (t) => {
  const receiver = await startOtlpReceiver();
  t.after(() => receiver.close());
  const d = await deploy(t, receiver, true);
  const mcpTrace = newTraceparent();
  const a2aTrace = newTraceparent();
  await mcpToolCall(`${d.client.url}/mcp/tools`, mcpTrace.header);
  await a2aSendMessage(`${d.client.url}/a2a/planner`, a2aTrace.header);

  // Spans are exported in batches (at least every second): wait for the four of interest.
  const find = () => {
    const spans = receiver.spans();
    return {
      mcpRoute: spanOf(spans, CLIENT_GW, mcpTrace.traceId, 'tools/call echo'),
      mcpService: spanOf(spans, SERVER_GW, mcpTrace.traceId, 'tools/call echo'),
      a2aRoute: spanOf(spans, CLIENT_GW, a2aTrace.traceId, 'SendMessage'),
      a2aService: spanOf(spans, SERVER_GW, a2aTrace.traceId, 'SendMessage'),
    };
  };
  await until(() => Object.values(find()).every((s) => s !== undefined), 'spans from both gateways', 30_000);
  const { mcpRoute, mcpService, a2aRoute, a2aService } = find() as Record<string, ReceivedSpan>;

  // MCP: the route span is the client's child, the service span the route span's child.
  assert.equal(mcpRoute!.parentSpanId, parentIdOf(mcpTrace.header));
  assert.equal(mcpService!.parentSpanId, mcpRoute!.spanId);
  assert.deepEqual(
    {
      side: mcpRoute!.attributes['slim_gateway.side'],
      route: mcpRoute!.attributes['slim_gateway.route'],
      method: mcpRoute!.attributes['mcp.method.name'],
      tool: mcpRoute!.attributes['gen_ai.tool.name'],
      remote: mcpRoute!.attributes['slim.remote_name'],
      status: mcpRoute!.attributes['slim_gateway.status'],
    },
    {
      side: 'route',
      route: '/mcp/tools',
      method: 'tools/call',
      tool: 'echo',
      remote: 'acme/demo/tools',
      status: 'ok',
    },
  );
  assert.equal(mcpService!.attributes['slim_gateway.side'], 'service');
  assert.equal(mcpService!.attributes['slim_gateway.service'], 'acme/demo/tools');
  assert.equal(mcpService!.attributes['slim.local_name'], 'acme/demo/tools');
  assert.equal(mcpService!.attributes['gen_ai.tool.name'], 'echo');
  assert.equal(mcpService!.attributes['slim.caller'], CLIENT_GW, 'the verified identity');
  assert.equal(mcpService!.attributes['slim_gateway.status'], 'ok');

  // The MCP server's tools/call request carried the service span's context (and the tracestate).
  const upstreamCall = d.mcpUpstream.requests.find(
    (r) =>
      traceIdOf(r.headers['traceparent']) === mcpTrace.traceId &&
      parentIdOf(r.headers['traceparent']) === mcpService!.spanId,
  );
  assert.ok(upstreamCall, 'the MCP server got the trace context of the service span');
  assert.equal(upstreamCall.headers['tracestate'], 'vendor=test');

  // A2A: the same chain, down to the agent.
  assert.equal(a2aRoute!.parentSpanId, parentIdOf(a2aTrace.header));
  assert.equal(a2aService!.parentSpanId, a2aRoute!.spanId);
  assert.equal(a2aRoute!.attributes['a2a.method'], 'SendMessage');
  assert.equal(a2aRoute!.attributes['slim_gateway.route'], '/a2a/planner');
  assert.equal(a2aService!.attributes['a2a.method'], 'SendMessage');
  assert.equal(a2aService!.attributes['slim.caller'], CLIENT_GW, 'the verified identity');
  assert.equal(a2aService!.attributes['slim_gateway.status'], 'ok');
  assert.ok(
    d.agentUpstream.requests.some(
      (r) => r.method === 'POST' && parentIdOf(r.headers['traceparent']) === a2aService!.spanId,
    ),
    'the agent got the trace context of the service span',
  );

  // An access log line per call on each side, on the `access` logger, without payloads.
  const access = (g: GatewayProcess) => g.child.logs.filter((l) => l['component'] === 'access');
  const routeLine = access(d.client).find((l) => l['route'] === '/mcp/tools' && l['tool'] === 'echo');
  assert.ok(routeLine, 'the route side logged the tool call');
  assert.equal(routeLine['status'], 'ok');
  assert.equal(typeof routeLine['durationMs'], 'number');
  const serviceLine = access(d.server).find((l) => l['service'] === 'acme/demo/planner');
  assert.ok(serviceLine, 'the service side logged the A2A call');
  assert.equal(serviceLine['caller'], CLIENT_GW);
  assert.equal(serviceLine['method'], 'SendMessage');
  for (const g of [d.client, d.server])
    assert.ok(
      !g.child.stderrText.some((l) => l.includes('traced') || l.includes('plan a trip')),
      'no payload logged',
    );
});

test(
  'telemetry off: nothing exported by that gateway, the trace context passes through',
  HANG_GUARD,
  async (t) => {
    const receiver = await startOtlpReceiver();
    t.after(() => receiver.close());
    const d = await deploy(t, receiver, false);
    const trace = newTraceparent();
    await mcpToolCall(`${d.client.url}/mcp/tools`, trace.header);
    // Stopping flushes what each exporter holds: after this, the receiver has all it will get.
    await d.client.stop();
    await d.server.stop();
    const spans = receiver.spans();
    const route = spanOf(spans, CLIENT_GW, trace.traceId, 'tools/call echo');
    assert.ok(route, 'the route side exported its span');
    assert.deepEqual(
      spans.filter((s) => s.gateway !== CLIENT_GW),
      [],
      'the service side exported nothing',
    );
    // Without its own span, the service side passes the route span's context on unchanged.
    assert.ok(
      d.mcpUpstream.requests.some(
        (r) =>
          traceIdOf(r.headers['traceparent']) === trace.traceId &&
          parentIdOf(r.headers['traceparent']) === route.spanId,
      ),
    );
    // Its access log is written all the same.
    assert.ok(d.server.child.logs.some((l) => l['component'] === 'access' && l['tool'] === 'echo'));
  },
);

test('group routes and a filtered route pass the route span on to the services', HANG_GUARD, async (t) => {
  const receiver = await startOtlpReceiver();
  t.after(() => receiver.close());
  const { mcpUpstream: upstream, agentUpstream: agent } = await upstreams(t);
  const { client } = await startPair(t, receiver, {
    services: `  - { name: acme/demo/tools, mcp: { url: "${upstream.url}/mcp" } }
  - { name: acme/demo/more, mcp: { url: "${upstream.url}/mcp" } }
  - { name: acme/demo/planner, a2a: { url: "${agent.url}" } }
  - { name: acme/demo/reviewer, a2a: { url: "${agent.url}" } }`,
    routes: `  - { path: /mcp/group, mcp: { group: [acme/demo/tools, acme/demo/more] } }
  - { path: /mcp/filtered, mcp: acme/demo/tools, tools: { allow: [echo] } }
  - { path: /a2a/group, a2a: { group: [acme/demo/planner, acme/demo/reviewer] } }`,
    serverTelemetry: true,
  });

  const group = newTraceparent();
  const mcpClient = new Client({ name: 'trace-test', version: '1.0.0' });
  await mcpClient.connect(
    new StreamableHTTPClientTransport(new URL(`${client.url}/mcp/group`), {
      requestInit: { headers: { traceparent: group.header } },
    }),
  );
  const res = await mcpClient.callTool({ name: 'more_echo', arguments: { text: 'traced' } });
  assert.deepEqual(res.content, [{ type: 'text', text: 'traced' }]);
  await mcpClient.close();
  const filtered = newTraceparent();
  await mcpToolCall(`${client.url}/mcp/filtered`, filtered.header);
  const a2aGroup = newTraceparent();
  await a2aSendMessage(`${client.url}/a2a/group`, a2aGroup.header);

  const find = () => {
    const spans = receiver.spans();
    return {
      groupRoute: spanOf(spans, CLIENT_GW, group.traceId, 'tools/call more_echo'),
      groupService: spanOf(spans, SERVER_GW, group.traceId, 'tools/call echo'),
      filteredRoute: spanOf(spans, CLIENT_GW, filtered.traceId, 'tools/call echo'),
      filteredService: spanOf(spans, SERVER_GW, filtered.traceId, 'tools/call echo'),
      a2aRoute: spanOf(spans, CLIENT_GW, a2aGroup.traceId, 'SendMessage'),
      a2aServices: (() => {
        const both = spans.filter(
          (x) => x.gateway === SERVER_GW && x.traceId === a2aGroup.traceId && x.name === 'SendMessage',
        );
        return both.length === 2 ? both : undefined;
      })(),
    };
  };
  await until(() => Object.values(find()).every((s) => s !== undefined), 'spans from both gateways', 30_000);
  const found = find();
  const [groupRoute, groupService, filteredRoute, filteredService, a2aRoute] = [
    found.groupRoute,
    found.groupService,
    found.filteredRoute,
    found.filteredService,
    found.a2aRoute,
  ] as ReceivedSpan[];
  assert.equal(groupRoute!.parentSpanId, parentIdOf(group.header));
  assert.equal(
    groupService!.parentSpanId,
    groupRoute!.spanId,
    'the member call is the group route span child',
  );
  assert.equal(groupService!.attributes['slim_gateway.service'], 'acme/demo/more');
  assert.equal(filteredService!.parentSpanId, filteredRoute!.spanId, 'the filtered route passes its span on');
  assert.equal(a2aRoute!.parentSpanId, parentIdOf(a2aGroup.header));
  assert.equal(a2aRoute!.attributes['slim_gateway.route'], '/a2a/group');
  for (const member of found.a2aServices!)
    assert.equal(member.parentSpanId, a2aRoute!.spanId, 'each agent call is the A2A group route span child');
});
