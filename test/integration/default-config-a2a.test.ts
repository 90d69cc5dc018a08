// Integration: the A2A route of the default configuration (`npm start` runs `slim-gateway run
// --config config/gateway.yaml`): the embedded node, the example planner agent spawned by the
// gateway and offered on SLIM with MLS, and /a2a/planner reaching it. The file is used as shipped
// except for its fixed ports (8080, 46357, 9999), swapped for free ones so the test can run next
// to anything else, and `cwd: ..`, made absolute since the copy lives elsewhere. The example
// client (examples/agents/client.ts) is what the README tells a newcomer to run against it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runExampleClient } from '../../examples/agents/client.js';
import { startGatewayProcess } from '../support/a2a-gateways.js';
import { REPO_ROOT } from '../support/paths.js';
import { freePort } from '../support/reference.js';
import { until } from '../support/until.js';

test(
  'npm start: the example client gets answers from the default A2A route',
  { timeout: 120_000 },
  async (t) => {
    const shipped = readFileSync(join(REPO_ROOT, 'config', 'gateway.yaml'), 'utf8');
    for (const fixed of ['127.0.0.1:8080', '127.0.0.1:46357', 'http://127.0.0.1:9999', "'9999'", 'cwd: ..'])
      assert.ok(shipped.includes(fixed), `config/gateway.yaml no longer has ${fixed}; update this test`);
    const [nodePort, agentPort] = [await freePort(), await freePort()];
    const yaml = shipped
      .replaceAll('127.0.0.1:8080', '127.0.0.1:0')
      .replaceAll('127.0.0.1:46357', `127.0.0.1:${nodePort}`)
      .replaceAll('http://127.0.0.1:9999', `http://127.0.0.1:${agentPort}`)
      .replaceAll("'9999'", `'${agentPort}'`)
      .replaceAll('cwd: ..', `cwd: ${JSON.stringify(REPO_ROOT)}`);
    const gw = await startGatewayProcess(yaml);
    t.after(() => gw.stop());
    const route = `${gw.url}/a2a/planner`;
    await gw.child.waitForLog(
      (l) => l.msg.includes(`A2A route  ${route} -> acme/demo/planner`),
      'A2A route banner',
    );
    // The agent is spawned with the gateway: wait until the service is up (readiness covers it).
    await until(
      async () => (await fetch(`${gw.url}/readyz`)).status === 200,
      'the gateway to be ready',
      60_000,
    );

    const lines: string[] = [];
    await runExampleClient(route, (l) => lines.push(l));
    assert.match(lines[0]!, /^agent: Planner \(JSONRPC http:\/\/127\.0\.0\.1:\d+\/a2a\/planner, /);
    assert.match(lines[0]!, /slim:\/\/acme\/demo\/planner/);
    assert.equal(lines[1], 'message: You said: hello');
    assert.match(lines[2]!, /^task .*: submitted$/);
    assert.equal(lines.filter((l) => l.startsWith('artifact plan: ')).length, 3);
    assert.equal(lines.at(-1), 'status: completed Plan ready');
  },
);
