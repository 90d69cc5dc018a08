// An example A2A agent built on @a2a-js/sdk, to be offered on SLIM by the gateway
// (`services: [{ name: ..., a2a: { url: http://127.0.0.1:9999 } }]`).
//   - "plan <goal> [in N steps]" creates a task and streams its progress: a working status per
//     step and one artifact chunk per step, then completed. It can be cancelled at any step.
//   - anything else is answered with a single message.
// It speaks JSON-RPC for A2A v1.0 and v0.3 (the SDK's compatibility layer), supports push-
// notification configs, and serves its card at /.well-known/agent-card.json.
//
// Run: node dist/examples/agents/planner-agent.js [--host 127.0.0.1] [--port 9999]
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import express from 'express';
import { Role, TaskState } from '@a2a-js/sdk';
import type { AgentCard, Message, Part, TaskStatusUpdateEvent } from '@a2a-js/sdk';
import {
  AgentEvent,
  DefaultPushNotificationSender,
  DefaultRequestHandler,
  InMemoryPushNotificationStore,
  InMemoryTaskStore,
} from '@a2a-js/sdk/server';
import type {
  AgentExecutor,
  ExecutionEventBus,
  PushNotificationSender,
  RequestContext,
} from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express';
import { createLegacyAwarePushNotificationSender } from '@a2a-js/sdk/compat/v0_3/server';

export interface PlannerAgentOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** A2A versions served over JSON-RPC (default both). */
  readonly versions?: readonly ('1.0' | '0.3')[];
  /** Pause between plan steps (default 300 ms). */
  readonly stepDelayMs?: number;
  /** Offer an extended agent card (GetExtendedAgentCard). */
  readonly extendedCard?: boolean;
  /** Called before each event of a task is published; lets a caller pace the agent. */
  readonly beforeEvent?: (taskId: string, index: number, signal: AbortSignal) => Promise<void>;
  /** Where push notifications go (default: POSTed to the configured webhooks). */
  readonly pushSender?: PushNotificationSender;
}

export interface PlannerAgent {
  readonly url: string;
  close(): Promise<void>;
}

function text(value: string): Part {
  return { content: { $case: 'text', value }, metadata: undefined, filename: '', mediaType: 'text/plain' };
}

function agentMessage(value: string, taskId = '', contextId = ''): Message {
  return {
    messageId: crypto.randomUUID(),
    contextId,
    taskId,
    role: Role.ROLE_AGENT,
    parts: [text(value)],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

function textOf(message: Message): string {
  return message.parts
    .map((p) => (p.content?.$case === 'text' ? p.content.value : ''))
    .join(' ')
    .trim();
}

class Cancelled extends Error {}

class PlannerExecutor implements AgentExecutor {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly options: PlannerAgentOptions) {}

  cancelTask = (taskId: string): Promise<void> => {
    this.running.get(taskId)?.abort();
    return Promise.resolve();
  };

  async execute(ctx: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const input = textOf(ctx.userMessage);
    const plan = /^plan\b\s*(.*?)(?:\s+in\s+(\d+)\s+steps?)?\s*$/i.exec(input);
    if (!plan) {
      bus.publish(AgentEvent.message(agentMessage(`You said: ${input || '(nothing)'}`, '', ctx.contextId)));
      return;
    }
    const goal = plan[1] || 'something';
    const steps = Math.min(Math.max(Number(plan[2] ?? 5), 1), 100);
    const { taskId, contextId } = ctx;
    const abort = new AbortController();
    this.running.set(taskId, abort);
    let index = 0;
    const emit = async (event: ReturnType<typeof AgentEvent.task>) => {
      await this.options.beforeEvent?.(taskId, index++, abort.signal);
      if (abort.signal.aborted) throw new Cancelled();
      bus.publish(event);
    };
    const status = (state: TaskState, note?: string): TaskStatusUpdateEvent => ({
      taskId,
      contextId,
      status: {
        state,
        message: note ? agentMessage(note, taskId, contextId) : undefined,
        timestamp: new Date().toISOString(),
      },
      metadata: undefined,
    });
    try {
      await emit(
        AgentEvent.task({
          id: taskId,
          contextId,
          status: {
            state: TaskState.TASK_STATE_SUBMITTED,
            message: undefined,
            timestamp: new Date().toISOString(),
          },
          artifacts: [],
          history: [ctx.userMessage],
          metadata: undefined,
        }),
      );
      await emit(AgentEvent.statusUpdate(status(TaskState.TASK_STATE_WORKING, `Planning: ${goal}`)));
      for (let step = 1; step <= steps; step++) {
        await sleep(this.options.stepDelayMs ?? 300, abort.signal);
        await emit(AgentEvent.statusUpdate(status(TaskState.TASK_STATE_WORKING, `Step ${step} of ${steps}`)));
        await emit(
          AgentEvent.artifactUpdate({
            taskId,
            contextId,
            artifact: {
              artifactId: 'plan',
              name: 'Plan',
              description: `A ${steps}-step plan`,
              parts: [text(`${step}. Work on "${goal}" (part ${step})\n`)],
              metadata: undefined,
              extensions: [],
            },
            append: step > 1,
            lastChunk: step === steps,
            metadata: undefined,
          }),
        );
      }
      await emit(AgentEvent.statusUpdate(status(TaskState.TASK_STATE_COMPLETED, 'Plan ready')));
    } catch (err) {
      if (!(err instanceof Cancelled) && !abort.signal.aborted) throw err;
      bus.publish(AgentEvent.statusUpdate(status(TaskState.TASK_STATE_CANCELED, 'Cancelled')));
    } finally {
      this.running.delete(taskId);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export function plannerCard(url: string, options: PlannerAgentOptions = {}): AgentCard {
  const versions = options.versions ?? ['1.0', '0.3'];
  return {
    name: 'Planner',
    description:
      'Answers short questions with a message; turns "plan <goal> in N steps" into a streamed task.',
    supportedInterfaces: versions.map((protocolVersion) => ({
      url,
      protocolBinding: 'JSONRPC',
      tenant: '',
      protocolVersion,
    })),
    provider: { organization: 'slim-gateway examples', url: 'https://example.com/slim-gateway' },
    version: '1.0.0',
    documentationUrl: undefined,
    capabilities: {
      streaming: true,
      pushNotifications: true,
      extensions: [],
      extendedAgentCard: options.extendedCard ?? false,
    },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [
      {
        id: 'plan',
        name: 'Plan',
        description: 'Breaks a goal into steps, streaming each one.',
        tags: ['planning'],
        examples: ['plan a trip to Rome in 5 steps'],
        inputModes: [],
        outputModes: [],
        securityRequirements: [],
      },
    ],
    signatures: [],
    iconUrl: undefined,
  };
}

export async function startPlannerAgent(options: PlannerAgentOptions = {}): Promise<PlannerAgent> {
  const versions = options.versions ?? ['1.0', '0.3'];
  const legacyCompat = { enabled: versions.includes('0.3') };
  const card = plannerCard('http://placeholder', options);
  const pushStore = new InMemoryPushNotificationStore();
  const pushSender =
    options.pushSender ??
    (legacyCompat.enabled
      ? createLegacyAwarePushNotificationSender(pushStore)
      : new DefaultPushNotificationSender(pushStore));
  const extended = options.extendedCard
    ? { ...card, description: `${card.description} (extended card)` }
    : undefined;
  const handler = new DefaultRequestHandler(
    card,
    new InMemoryTaskStore(),
    new PlannerExecutor(options),
    undefined,
    pushStore,
    pushSender,
    // A provider function answers every caller (an AgentCard value only authenticated users).
    extended ? () => Promise.resolve(extended) : undefined,
  );
  const app = express();
  const cards = agentCardHandler({ agentCardProvider: handler, legacyCompat });
  app.use('/.well-known/agent-card.json', cards);
  app.use('/.well-known/agent.json', cards);
  app.use(
    jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication, legacyCompat }),
  );
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port ?? 0, options.host ?? '127.0.0.1', (err?: Error) =>
      err ? reject(err) : resolve(s),
    );
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  // The card names the address actually bound (port 0 picks one).
  for (const c of [card, extended]) c?.supportedInterfaces.forEach((i) => (i.url = url));
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function main(): Promise<void> {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const agent = await startPlannerAgent({
    host: arg('host') ?? '127.0.0.1',
    port: Number(arg('port') ?? 9999),
  });
  console.log(`Planner A2A agent at ${agent.url} (card: ${agent.url}/.well-known/agent-card.json)`);
  const stop = () => void agent.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
