// What one MCP `tools/call` costs on the wire between two gateways over our SLIM node, MLS on
// (docs/deviations.md, SLIMRPC; docs/mcp-over-slimrpc.md §2): the route's SLIMRPC `Request` goes
// alone (no client EOS) and says that the response ends the call (`mcp-response-ends-call`), the
// service answers with the response alone (no EOS), and the channel's session carries no MSG_ACK:
// 2 Publish frames into the node, where framing as the reference does costs 8. Counted on the
// links each gateway's apps hand frames to (TapLink), so the saving cannot silently regress.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { decodeMessage } from '../../src/slim/proto/index.js';
import { MsgType, readFrame } from '../../src/slim/session/frames.js';
import type { Inbound } from '../../src/slim/session/frames.js';
import { startSlimPair } from '../support/mcp/slim-pair.js';
import { startTestHttpServer } from '../support/mcp/test-server.js';
import type { TapLink } from '../support/tap-link.js';
import { until } from '../support/until.js';

const DATA = new Set([MsgType.MSG, MsgType.MSG_ACK, MsgType.RTX_REQUEST, MsgType.RTX_REPLY]);

function dataFrames(taps: TapLink[]): Inbound[] {
  return taps
    .flatMap((t) => t.toNode)
    .map((bytes) => readFrame(decodeMessage(bytes)))
    .filter((f): f is Inbound => f !== undefined && DATA.has(f.type));
}

test(
  'an MCP tools/call between two gateways is 2 frames on the wire: the request and the response',
  { timeout: 120_000 },
  async (t) => {
    const server = await startTestHttpServer();
    const pair = await startSlimPair({ kind: 'http', url: server.url }, { mls: true, tap: true });
    t.after(async () => {
      await pair.close();
      await server.close();
    });
    const client = new Client({ name: 'c', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(pair.url)));
    await client.callTool({ name: 'echo', arguments: { text: 'warm' } });
    const taps = [...pair.client.taps, ...pair.server.taps];
    for (const tap of taps) tap.toNode.length = 0;

    const res = await client.callTool({ name: 'echo', arguments: { text: 'counted' } });
    assert.deepEqual(res.content, [{ type: 'text', text: 'counted' }]);
    // A second call: the service answers in order, so whatever it sent for the first call (an
    // EOS, if it sent one) is on the wire before the second call's response.
    const next = await client.callTool({ name: 'echo', arguments: { text: 'next' } });
    assert.deepEqual(next.content, [{ type: 'text', text: 'next' }]);
    const opened = () =>
      dataFrames(pair.client.taps).filter(
        (f) => f.type === MsgType.MSG && f.metadata['method'] === 'Request',
      );
    const answers = (id: string | undefined) =>
      dataFrames(pair.server.taps).filter((f) => f.type === MsgType.MSG && f.metadata['rpc-id'] === id);
    await until(() => answers(opened()[1]?.metadata['rpc-id']).length >= 1, "the second call's response");
    await client.close();

    assert.equal(opened().length, 2, 'one Request call each');
    const first = opened()[0]!;
    assert.equal(first.metadata['mcp-response-ends-call'], '1', 'the route says the response ends the call');
    const id = first.metadata['rpc-id'];
    const requestFrames = dataFrames(pair.client.taps).filter((f) => f.metadata['rpc-id'] === id);
    assert.equal(requestFrames.length, 1, 'the request alone: no client EOS');
    const answered = answers(id);
    assert.equal(answered.length, 1, 'the response alone: no EOS');
    assert.equal(answered[0]!.metadata['slimrpc-code'], undefined, 'a data frame');
    const acks = dataFrames(taps).filter((f) => f.type !== MsgType.MSG);
    assert.deepEqual(
      acks.map((f) => f.type),
      [],
      'no MSG_ACK or retransmission on either side',
    );
  },
);
