// Component: the example A2A client (examples/agents/client.ts) runs against a local route to
// the example planner agent, as a newcomer would run it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runExampleClient } from '../../examples/agents/client.js';
import { startChain } from '../support/a2a-chain.js';

test('the example client reads the card, gets a message, and streams a plan through the route', async () => {
  const chain = await startChain();
  try {
    const lines: string[] = [];
    await runExampleClient(chain.url, (l) => lines.push(l));
    assert.match(lines[0]!, /^agent: Planner \(JSONRPC http:\/\/127\.0\.0\.1:\d+\/a2a\/planner, /);
    assert.match(lines[0]!, /slim:\/\/acme\/demo\/planner/);
    assert.equal(lines[1], 'message: You said: hello');
    assert.match(lines[2]!, /^task .*: submitted$/);
    assert.equal(lines.filter((l) => l.startsWith('artifact plan: ')).length, 3);
    assert.equal(lines.at(-1), 'status: completed Plan ready');
  } finally {
    await chain.close();
  }
});
