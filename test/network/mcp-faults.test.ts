// Network: MCP through two gateways and our SLIM node on three hosts (Linux network namespaces,
// test/support/netns.ts, set up by test/support/mcp-network.ts, which the network benchmark
// shares): the client host runs `slim-gateway stdio` (the client-side gateway, driven by the MCP
// SDK's stdio client), the server host `slim-gateway run` with a counting MCP server, the node host
// `slim-gateway node`. Faults come from iptables: 5% random packet loss on every host, a 10 s
// partition of the server host, a node killed and restarted under load; that last one also with the
// reference SLIM node (Rust core from npm, test/fixtures/reference/config-node.mjs) on the node host
// instead of ours. Every call must end (an answer, or an error saying why), none may be lost
// silently, and the server must never see a call twice (it writes each call's key to a file: the
// end-to-end count). Times are reported, not asserted. These tests need root, iproute2 and iptables
// (.ci/run installs them) and FAIL when the namespaces (or the reference node) cannot be made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  callAll,
  countOutcomes,
  partitionServerHost,
  restartUnderLoad,
  SDK_TIMEOUT_MS,
  startNetwork,
  summary,
} from '../support/mcp-network.js';
import type { Network, Outcome } from '../support/mcp-network.js';

/** Each key the server saw at most once; every success seen exactly once; every failure says why. */
function assertCounted(net: Network, outcomes: readonly Outcome[]): void {
  const count = countOutcomes(net, outcomes);
  assert.deepEqual(count.duplicated, [], 'no call reached the server twice');
  assert.deepEqual(count.answeredUnseen, [], 'every answered call was seen by the server once');
  for (const o of outcomes) if (!o.ok) assert.ok(o.text.length > 0, `${o.key} failed with a reason`);
}

test(
  '5% random packet loss on every host: 100 calls each answered or failed clearly, none lost or doubled',
  { timeout: 110_000 },
  async (t) => {
    const net = await startNetwork(t, { routeTimeoutMs: 30_000 });
    net.lab.loss(0.05);
    const keys = Array.from({ length: 100 }, (_, i) => `loss-${i}`);
    const outcomes = await callAll(net, keys, 10);
    net.lab.loss(0);
    assert.equal(outcomes.length, 100, 'every call ended');
    assertCounted(net, outcomes);
    const s = summary(outcomes);
    t.diagnostic(`5% loss: ${JSON.stringify(s)}`);
    assert.ok(s.ok > 0, `calls get through a lossy network: ${JSON.stringify(s)}`);
  },
);

test(
  '5% random packet loss, through the HTTP route of slim-gateway run on the client host: 100 calls, none lost or doubled',
  { timeout: 110_000 },
  async (t) => {
    const net = await startNetwork(t, { routeTimeoutMs: 30_000, front: 'http' });
    net.lab.loss(0.05);
    const keys = Array.from({ length: 100 }, (_, i) => `http-loss-${i}`);
    const outcomes = await callAll(net, keys, 10);
    net.lab.loss(0);
    assert.equal(outcomes.length, 100, 'every call ended');
    assertCounted(net, outcomes);
    const s = summary(outcomes);
    t.diagnostic(`5% loss over HTTP: ${JSON.stringify(s)}`);
    assert.ok(s.ok > 0, `calls get through a lossy network: ${JSON.stringify(s)}`);
  },
);

test(
  'a 10 s partition of the server host: calls in flight fail within their deadline; new calls work after it heals',
  { timeout: 110_000 },
  async (t) => {
    const ROUTE_DEADLINE_MS = 8_000;
    const net = await startNetwork(t, { routeTimeoutMs: ROUTE_DEADLINE_MS });
    const warm = await net.call('warm-up');
    assert.ok(warm.ok, `the route works before the partition: ${warm.text}`);

    const cut = await partitionServerHost(net, 10_000);
    const ended = [...cut.inflight, ...cut.during];
    assert.equal(ended.length, 8, 'every call in flight or started during the partition ended');
    for (const o of ended) {
      // Either it got through (answered before the cut) or the gateway said why, well before the
      // SDK's own timeout would have fired.
      if (!o.ok) {
        assert.ok(o.ms < SDK_TIMEOUT_MS, `${o.key}: failed by the gateway, not by the client giving up`);
        // The gateway's own words (the SDK's timeout would only say "Request timed out").
        assert.match(o.text, /deadline|unavailable|unreachable|SLIM/i, `${o.key}: the gateway said why`);
      }
    }
    assert.ok(
      cut.recoveryMs !== undefined,
      `a call succeeds within 60 s of the partition healing, without operator action\n${net.stderr.join('').slice(-3000)}`,
    );
    const after = await callAll(
      net,
      Array.from({ length: 10 }, (_, i) => `steady-${i}`),
      5,
    );
    assert.deepEqual(
      after.filter((o) => !o.ok).map((o) => o.text),
      [],
      'after recovery every call succeeds',
    );
    assertCounted(net, [...ended, ...cut.after, ...after]);
    t.diagnostic(
      `partition: in flight/during ${JSON.stringify(summary(ended))}; ` +
        `first success ${cut.recoveryMs} ms after healing (partition ${cut.partitionMs} ms)`,
    );
  },
);

test(
  'our node killed and restarted under load: no call lost silently; recovery time reported',
  { timeout: 110_000 },
  async (t) => {
    const net = await startNetwork(t, { routeTimeoutMs: 10_000 });
    const { outcomes, started, recoveryMs } = await restartUnderLoad(net);
    assert.equal(outcomes.length, started, 'every call started has ended');
    assertCounted(net, outcomes);
    t.diagnostic(
      `node restart: ${JSON.stringify(summary(outcomes))}; first success of a call started after the ` +
        `restart ${recoveryMs} ms after it`,
    );
  },
);

test(
  'the reference node killed and restarted under load: no call lost silently; recovery time reported',
  { timeout: 110_000 },
  async (t) => {
    const net = await startNetwork(t, { routeTimeoutMs: 10_000, node: 'reference' });
    const { outcomes, started, recoveryMs } = await restartUnderLoad(net);
    assert.equal(outcomes.length, started, 'every call started has ended');
    assertCounted(net, outcomes);
    t.diagnostic(
      `reference node restart: ${JSON.stringify(summary(outcomes))}; first success of a call started ` +
        `after the restart ${recoveryMs} ms after it`,
    );
  },
);
