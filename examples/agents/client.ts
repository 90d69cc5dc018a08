// An example A2A client (@a2a-js/sdk) talking to an agent through a local slim-gateway route:
// it reads the route's agent card, sends a simple message, then streams a planning task and
// prints each event as it arrives. The agent itself may be anywhere on SLIM.
//
// Run: node dist/examples/agents/client.js [http://127.0.0.1:8080/a2a/planner]
import { pathToFileURL } from 'node:url';
import { Role, TaskState } from '@a2a-js/sdk';
import type { Message, SendMessageRequest, StreamResponse } from '@a2a-js/sdk';
import { ClientFactory } from '@a2a-js/sdk/client';

function request(text: string): SendMessageRequest {
  const message: Message = {
    messageId: crypto.randomUUID(),
    contextId: '',
    taskId: '',
    role: Role.ROLE_USER,
    parts: [
      { content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: 'text/plain' },
    ],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
  return { tenant: '', message, configuration: undefined, metadata: undefined };
}

function state(s: TaskState | undefined): string {
  return (TaskState[s ?? 0] ?? 'unknown').replace('TASK_STATE_', '').toLowerCase();
}

function describe(event: StreamResponse): string {
  const p = event.payload;
  switch (p?.$case) {
    case 'task':
      return `task ${p.value.id}: ${state(p.value.status?.state)}`;
    case 'message':
      return `message: ${p.value.parts.map((x) => (x.content?.$case === 'text' ? x.content.value : '')).join('')}`;
    case 'statusUpdate':
      return `status: ${state(p.value.status?.state)} ${p.value.status?.message?.parts.map((x) => (x.content?.$case === 'text' ? x.content.value : '')).join('') ?? ''}`;
    case 'artifactUpdate':
      return `artifact ${p.value.artifact?.artifactId ?? ''}: ${p.value.artifact?.parts.map((x) => (x.content?.$case === 'text' ? x.content.value.trim() : '')).join('') ?? ''}`;
    default:
      return 'empty event';
  }
}

/** Runs the example against `routeUrl`; returns what it printed. */
export async function runExampleClient(
  routeUrl: string,
  print: (line: string) => void = console.log,
): Promise<void> {
  const base = routeUrl.endsWith('/') ? routeUrl : `${routeUrl}/`;
  const client = await new ClientFactory().createFromUrl(base);
  const card = await client.getAgentCard();
  print(
    `agent: ${card.name} (${card.supportedInterfaces.map((i) => `${i.protocolBinding} ${i.url}`).join(', ')})`,
  );
  const answer = await client.sendMessage(request('hello'));
  print(
    'messageId' in answer ? describe({ payload: { $case: 'message', value: answer } }) : `task ${answer.id}`,
  );
  for await (const event of client.sendMessageStream(request('plan a trip to Rome in 3 steps')))
    print(describe(event));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runExampleClient(process.argv[2] ?? 'http://127.0.0.1:8080/a2a/planner').catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
