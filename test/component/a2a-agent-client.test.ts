// Component: the A2A agent client (the egress's HTTP side, on node:http) against a plain HTTP
// server standing in for an agent: SSE events are yielded as they arrive, not when the stream
// ends; a stream the caller stops reading early is closed, so the agent sees the client go away;
// a unary answer cut short by the agent is an error, not a hang; an answer too large to relay and
// a card that is not JSON are clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { A2aAgentClient } from '../../src/adapters/a2a/egress/agent-client.js';
import { silentLogger } from '../../src/util/log.js';
import { until } from '../support/until.js';

const HANG_GUARD_MS = 20_000;

async function agentServer(
  t: { after: (fn: () => Promise<void>) => void },
  onPost: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => onPost(req, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

const event = (n: number) => `data: {"jsonrpc":"2.0","id":1,"result":{"n":${n}}}\n\n`;

test(
  'SSE events are yielded one by one; leaving the stream early closes it at the agent',
  {
    timeout: HANG_GUARD_MS,
  },
  async (t) => {
    let closed = false;
    let sent = 0;
    let next = () => {};
    const url = await agentServer(t, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(event(++sent));
      res.on('close', () => (closed = true));
      // The second event only once the first has been read (the test asks for it below).
      next = () => res.write(event(++sent));
    });
    const agent = new A2aAgentClient({ url, logger: silentLogger });
    t.after(() => agent.close());
    const stream = agent.stream('1.0', 'SendStreamingMessage', {}, {}, new AbortController().signal);
    assert.deepEqual((await stream.next()).value, { n: 1 }, 'the first event before the stream ends');
    next();
    assert.deepEqual((await stream.next()).value, { n: 2 });
    assert.equal(closed, false);
    await stream.return(undefined);
    await until(() => closed, 'the agent to see the stream closed', HANG_GUARD_MS / 2);
    assert.equal(sent, 2);
  },
);

test('an answer cut short by the agent is an error, not a hang', { timeout: HANG_GUARD_MS }, async (t) => {
  const url = await agentServer(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
    res.write('{"jsonrpc":"2.0",');
    setTimeout(() => res.destroy(), 20);
  });
  const agent = new A2aAgentClient({ url, logger: silentLogger });
  t.after(() => agent.close());
  await assert.rejects(agent.call('1.0', 'SendMessage', {}, {}, new AbortController().signal));
});

test(
  'an answer larger than the gateway reads is a clear error, and reading stops',
  { timeout: HANG_GUARD_MS },
  async (t) => {
    let written = 0;
    const url = await agentServer(t, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(256 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed && written < 64 * 1024 * 1024) {
          written += chunk.byteLength;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const agent = new A2aAgentClient({ url, logger: silentLogger });
    t.after(() => agent.close());
    await assert.rejects(agent.call('1.0', 'SendMessage', {}, {}, new AbortController().signal), {
      name: 'A2aError',
      message: /exceeds \d+ bytes/,
    });
    assert.ok(written < 64 * 1024 * 1024, 'the gateway stopped reading long before the agent was done');
  },
);

test('an agent card that is not JSON is named as such', { timeout: HANG_GUARD_MS }, async (t) => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('<html>not a card</html>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const agent = new A2aAgentClient({ url, logger: silentLogger });
  t.after(() => agent.close());
  await assert.rejects(agent.info(new AbortController().signal), {
    message: /agent card .* is not valid JSON/,
  });
});
