// Unit: what a group builds from its members' answers. MCP: the union of lists with fan-out tools,
// routing back from presented names, the merged initialize, the attributed fan-out result, member
// frames (tagged server-request ids, attributed logs). A2A: the aggregated Message, presented task
// ids and which messages go to one agent, the group's card.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create, toJson } from '@bufbuild/protobuf';
import { fanoutTools, presentList, routeName } from '../../src/adapters/mcp/group/presented-catalog.js';
import type { MemberItems } from '../../src/adapters/mcp/group/presented-catalog.js';
import { fanoutResult, mergeInitialize } from '../../src/adapters/mcp/group/results.js';
import { fromMember, tagId, untagId } from '../../src/adapters/mcp/group/member-frames.js';
import { aggregateMessage, summaryText } from '../../src/adapters/a2a/group/aggregate.js';
import { messageOwner, prefixStreamResponse, tagStreamResponse } from '../../src/adapters/a2a/group/ids.js';
import { groupCard } from '../../src/adapters/a2a/group/card.js';
import * as v1 from '../../src/adapters/a2a/gen/a2a/v1_0/a2a_pb.js';

const A = { key: 'acme/demo/alpha', prefix: 'alpha' };
const B = { key: 'acme/demo/beta', prefix: 'beta' };
const tool = (name: string, schema: object = { type: 'object' }) => ({ name, inputSchema: schema });

test('tools/list: every member tool under its prefix, then one all_<tool> per shared name', () => {
  const lists: MemberItems[] = [
    { member: A, items: [tool('echo'), tool('add')] },
    { member: B, items: [tool('echo'), tool('files.read')] },
  ];
  const names = presentList('tools', lists).map((t) => t['name']);
  assert.deepEqual(names.slice(0, 4), ['alpha_echo', 'alpha_add', 'beta_echo', names[3]]);
  assert.match(String(names[3]), /^beta_files_read-[0-9a-f]{6}$/);
  assert.deepEqual(names.slice(4), ['all_echo']);
  const [fan] = fanoutTools(lists);
  assert.match(String(fan?.['description']), /acme\/demo\/alpha, acme\/demo\/beta/);
  assert.ok(fan?.['outputSchema'], 'declares the structure of its results');
});

test('a fan-out tool says so when the members declare different input schemas', () => {
  const [same] = fanoutTools([
    { member: A, items: [tool('echo')] },
    { member: B, items: [tool('echo')] },
  ]);
  const [differ] = fanoutTools([
    { member: A, items: [tool('echo', { type: 'object', properties: { text: {} } })] },
    { member: B, items: [tool('echo', { type: 'object', properties: { message: {} } })] },
  ]);
  assert.doesNotMatch(String(same?.['description']), /different input schemas/);
  assert.match(String(differ?.['description']), /different input schemas/);
});

test('presented names route back to the owner and its own name', () => {
  const lists: MemberItems[] = [
    { member: A, items: [tool('echo'), tool('x'.repeat(90))] },
    { member: B, items: [tool('echo')] },
  ];
  assert.deepEqual(routeName('tools', 'beta_echo', lists), { kind: 'member', member: B.key, name: 'echo' });
  const long = presentList('tools', lists)[1]!['name'] as string;
  assert.deepEqual(routeName('tools', long, lists), { kind: 'member', member: A.key, name: 'x'.repeat(90) });
  assert.deepEqual(routeName('tools', 'all_echo', lists), {
    kind: 'fanout',
    name: 'echo',
    owners: [A.key, B.key],
  });
  assert.equal(routeName('tools', 'gamma_echo', lists), undefined);
  assert.equal(routeName('prompts', 'all_echo', lists), undefined, 'no fan-out for prompts');
});

test('resources and templates carry the member prefix in their URIs', () => {
  const res = presentList('resources', [{ member: A, items: [{ uri: 'file:///a.md', name: 'a' }] }]);
  assert.deepEqual(res, [{ uri: 'alpha+file:///a.md', name: 'a' }]);
  const tpl = presentList('resourceTemplates', [
    { member: B, items: [{ uriTemplate: 'demo://r/{id}', name: 't' }] },
  ]);
  assert.deepEqual(tpl, [{ uriTemplate: 'beta+demo://r/{id}', name: 't' }]);
});

test("initialize: the members' version when they agree, the oldest when not; member instructions kept", () => {
  const statuses = [
    { member: A.key, prefix: 'alpha', status: 'ok' as const },
    { member: B.key, prefix: 'beta', status: 'failed' as const, error: 'down' },
  ];
  const info = { route: '/mcp/g', version: '1.0.0' };
  const merged = mergeInitialize(
    [
      { member: A, result: { protocolVersion: '2025-11-25', instructions: 'Use alpha wisely.' } },
      { member: B, result: { protocolVersion: '2025-06-18' } },
    ],
    '2025-11-25',
    info,
    statuses,
  );
  assert.equal(merged['protocolVersion'], '2025-06-18');
  assert.match(String(merged['instructions']), /\[acme\/demo\/alpha\] Use alpha wisely\./);
  assert.deepEqual((merged['capabilities'] as Record<string, unknown>)['tools'], { listChanged: true });
  assert.deepEqual((merged['_meta'] as Record<string, unknown>)['slim-gateway/group'], { members: statuses });
  assert.equal(
    mergeInitialize([], '2025-03-26', info, [])['protocolVersion'],
    '2025-03-26',
    'nobody answered',
  );
});

test('a fan-out result attributes every block and lists every outcome', () => {
  const r = fanoutResult(
    [
      {
        member: A.key,
        tool: 'echo',
        outcome: { kind: 'result', result: { content: [{ type: 'text', text: 'a' }] } },
      },
      { member: B.key, tool: 'echo', outcome: { kind: 'failed', code: -32603, message: 'unavailable' } },
    ],
    [],
  );
  assert.equal(r['isError'], false, 'one member produced a result');
  const content = r['content'] as { text: string; _meta: Record<string, string> }[];
  assert.deepEqual(
    content.map((c) => [c.text, c._meta['slim-gateway/member']]),
    [
      ['[acme/demo/alpha] ok', A.key],
      ['a', A.key],
      ['[acme/demo/beta] failed: unavailable', B.key],
    ],
  );
  const results = (r['structuredContent'] as { results: { member: string; status: string }[] }).results;
  assert.deepEqual(
    results.map((x) => [x.member, x.status]),
    [
      [A.key, 'ok'],
      [B.key, 'failed'],
    ],
  );
  const none = fanoutResult(
    [{ member: A.key, tool: 'echo', outcome: { kind: 'result', result: { content: [], isError: true } } }],
    [],
  );
  assert.equal(none['isError'], true, 'no member produced a result');
});

test('member frames: server-request ids tagged per member, logs attributed, URIs prefixed', () => {
  const id = tagId(A.key, 0);
  assert.deepEqual(untagId(id), { member: A.key, id: 0 });
  assert.notEqual(tagId(A.key, 0), tagId(B.key, 0));
  assert.equal(untagId('0'), undefined);
  assert.equal(untagId(7), undefined);
  const req = fromMember(A, {
    kind: 'request',
    message: { jsonrpc: '2.0', id: 3, method: 'sampling/createMessage' },
  });
  assert.equal((req?.message.message as { id: string }).id, tagId(A.key, 3));
  const log = fromMember(B, {
    kind: 'notification',
    message: {
      jsonrpc: '2.0',
      method: 'notifications/message',
      params: { level: 'info', logger: 'db', data: 'x' },
    },
  });
  assert.equal((log?.message.message.params as { logger: string }).logger, 'acme/demo/beta/db');
  const upd = fromMember(B, {
    kind: 'notification',
    message: { jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'file:///x' } },
  });
  assert.equal((upd?.message.message.params as { uri: string }).uri, 'beta+file:///x');
  assert.equal(
    fromMember(A, { kind: 'response', message: { jsonrpc: '2.0', id: 1, result: {} } }),
    undefined,
  );
});

test('A2A: one agent Message, a summary part then one attributed data part per agent', () => {
  const outcomes = [
    { member: 'acme/demo/red', prefix: 'red', status: 'ok' as const, response: { message: { parts: [] } } },
    {
      member: 'acme/demo/green',
      prefix: 'green',
      status: 'failed' as const,
      error: { code: -32603, message: 'unreachable' },
    },
  ];
  const m = aggregateMessage(outcomes, 'ctx-1');
  assert.equal(m.role, v1.Role.AGENT);
  assert.equal(m.contextId, 'ctx-1');
  const json = toJson(v1.MessageSchema, m) as {
    parts: { text?: string; data?: Record<string, unknown>; metadata?: object }[];
  };
  assert.equal(json.parts[0]?.text, '1 of 2 agents answered: acme/demo/red; failed: acme/demo/green');
  assert.deepEqual(json.parts[1]?.data, {
    member: 'acme/demo/red',
    prefix: 'red',
    status: 'ok',
    response: { message: { parts: [] } },
  });
  assert.deepEqual(json.parts[2]?.metadata, { 'slim-gateway/member': 'acme/demo/green' });
  assert.equal(summaryText([]), '0 of 0 agents answered');
});

test('A2A: stream events get presented ids and their agent; follow-ups name one agent', () => {
  const ev = create(v1.StreamResponseSchema, {
    payload: {
      case: 'statusUpdate',
      value: create(v1.TaskStatusUpdateEventSchema, { taskId: 't1', contextId: 'c1' }),
    },
  });
  prefixStreamResponse(ev, 'red');
  tagStreamResponse(ev, 'acme/demo/red');
  const v = ev.payload.value as v1.TaskStatusUpdateEvent;
  assert.deepEqual(
    [v.taskId, v.contextId, v.metadata?.['slim-gateway/member']],
    ['red:t1', 'red:c1', 'acme/demo/red'],
  );

  const known = (p: string) => p === 'red' || p === 'blue';
  const follow = create(v1.MessageSchema, {
    taskId: 'red:t1',
    contextId: 'red:c1',
    referenceTaskIds: ['red:t0', 'blue:t9'],
  });
  assert.equal(messageOwner(follow, known), 'red');
  assert.deepEqual(
    [follow.taskId, follow.contextId, follow.referenceTaskIds],
    ['t1', 'c1', ['t0', 'blue:t9']],
  );
  const fresh = create(v1.MessageSchema, { contextId: 'my:own:context' });
  assert.equal(messageOwner(fresh, known), undefined, 'an id of no member goes to the whole group');
  assert.equal(fresh.contextId, 'my:own:context');
});

test('A2A: the group card lists members and the union of their skills', () => {
  const skill = create(v1.AgentSkillSchema, { id: 'plan', name: 'Plan', description: 'plans', tags: ['p'] });
  const card = groupCard('/a2a/team', 'http://127.0.0.1:1/a2a/team', [
    {
      member: 'acme/demo/red',
      prefix: 'red',
      card: create(v1.AgentCardSchema, { name: 'Red', skills: [skill] }),
    },
    { member: 'acme/demo/green', prefix: 'green', error: 'UNAVAILABLE' },
  ]);
  assert.equal(card.name, 'Group /a2a/team');
  assert.match(card.description, /acme\/demo\/green \(prefix green\): card unavailable \(UNAVAILABLE\)/);
  assert.deepEqual(
    card.skills.map((s) => [s.id, s.tags]),
    [['red:plan', ['p', 'acme/demo/red']]],
  );
  assert.deepEqual(
    card.supportedInterfaces.map((i) => [i.protocolBinding, i.protocolVersion]),
    [
      ['JSONRPC', '1.0'],
      ['JSONRPC', '0.3'],
    ],
  );
  assert.equal(card.capabilities?.streaming, true);
});
