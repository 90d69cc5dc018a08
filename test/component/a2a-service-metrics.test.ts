// Component: the A2A service's metrics record the end of every call it starts, including a stream
// the SLIMRPC server stops at a yield point (its publish failed, or the call was cancelled while
// the handler waited to hand over an event): calls, durations and errors stay consistent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create, toBinary } from '@bufbuild/protobuf';
import { parseName } from '../../src/slim/dataplane/name.js';
import type { RpcContext, ServerStreamHandler } from '../../src/slim/rpc/index.js';
import { MetricsRegistry } from '../../src/util/metrics.js';
import * as v1 from '../../src/adapters/a2a/gen/a2a/v1_0/a2a_pb.js';
import { createA2aService } from '../../src/adapters/a2a/index.js';
import { startPlannerAgent } from '../../examples/agents/planner-agent.js';

test('a stream stopped after its first event is counted as finished, with an error', async () => {
  const agent = await startPlannerAgent({ port: 0, stepDelayMs: 0 });
  const metrics = new MetricsRegistry();
  const service = createA2aService({ name: parseName('acme/demo/planner'), url: agent.url, metrics });
  try {
    const def = service.services.find((d) => d.name === 'lf.a2a.v1.A2AService')!;
    const method = def.methods['SendStreamingMessage']!;
    assert.equal(method.kind, 'serverStream');
    const abort = new AbortController();
    const ctx: RpcContext = {
      service: def.name,
      method: 'SendStreamingMessage',
      metadata: { 'a2a-version': '1.0' },
      source: parseName('acme/demo/caller'),
      identity: 'acme/demo/caller',
      deadline: Date.now() + 60_000,
      signal: abort.signal,
      omitEos: () => {},
    };
    const request = toBinary(
      v1.SendMessageRequestSchema,
      create(v1.SendMessageRequestSchema, {
        message: {
          messageId: 'm1',
          role: v1.Role.USER,
          parts: [{ content: { case: 'text', value: 'plan x in 3 steps' } }],
        },
      }),
    );
    const events = (method.handler as ServerStreamHandler)(request, ctx)[Symbol.asyncIterator]();
    assert.equal((await events.next()).done, false);
    // What the server does when it cannot deliver an event: abort the call, return the generator.
    abort.abort(new Error('session lost'));
    await events.return?.(undefined);
    const text = await metrics.render();
    assert.match(
      text,
      /slim_gateway_a2a_egress_call_duration_seconds_count\{method="SendStreamingMessage",service="acme\/demo\/planner"\} 1/,
    );
    assert.match(
      text,
      /slim_gateway_a2a_egress_errors_total\{error="[A-Za-z]+",method="SendStreamingMessage",service="acme\/demo\/planner"\} 1/,
    );
  } finally {
    await service.close();
    await agent.close();
  }
});
