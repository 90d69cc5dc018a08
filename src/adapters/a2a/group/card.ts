// The agent card of a group route (docs/a2a-over-slim.md "Groups"): it describes the group, not
// one agent. Name and description say it is a group and name every member (with what its own card
// says, or why it could not be read); skills are the union of the members' skills, each skill id
// presented as `<prefix>:<id>` and tagged with its member; capabilities are what the group route
// offers (streaming always: the route interleaves the agents' events). Its only interfaces are
// the route's JSON-RPC endpoints (v1.0 and v0.3): a group has no single SLIM name. Pure.
import { create } from '@bufbuild/protobuf';
import * as v1 from '../gen/a2a/v1_0/a2a_pb.js';
import { prefixedId } from '../../group/names.js';

export interface MemberCard {
  readonly member: string;
  readonly prefix: string;
  readonly card?: v1.AgentCard;
  readonly error?: string;
}

function union(lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())];
}

export function groupCard(route: string, baseUrl: string, members: readonly MemberCard[]): v1.AgentCard {
  const lines = members.map((m) =>
    m.card
      ? `${m.member} (prefix ${m.prefix}): ${m.card.name}${m.card.description ? ` — ${m.card.description}` : ''}`
      : `${m.member} (prefix ${m.prefix}): card unavailable (${m.error ?? 'no answer'})`,
  );
  const description =
    `A group of ${members.length} A2A agents reached over SLIM. Each message goes to every agent; the ` +
    `answer carries each agent's outcome, attributed. Task and context ids are <prefix>:<id>, and a ` +
    `message naming one agent's task goes to that agent alone.\n` +
    lines.join('\n');
  const cards = members.flatMap((m) => (m.card ? [{ ...m, card: m.card }] : []));
  const skills = cards.flatMap(({ member, prefix, card }) =>
    card.skills.map((s) =>
      create(v1.AgentSkillSchema, {
        ...s,
        id: prefixedId(prefix, s.id),
        description: `[${member}] ${s.description}`,
        tags: union([s.tags, [member]]),
      }),
    ),
  );
  const iface = (protocolVersion: string) =>
    create(v1.AgentInterfaceSchema, { url: baseUrl, protocolBinding: 'JSONRPC', protocolVersion });
  return create(v1.AgentCardSchema, {
    name: `Group ${route}`,
    description,
    version: '1.0.0',
    supportedInterfaces: [iface('1.0'), iface('0.3')],
    capabilities: create(v1.AgentCapabilitiesSchema, {
      streaming: true,
      pushNotifications: cards.some(({ card }) => card.capabilities?.pushNotifications === true),
      extendedAgentCard: false,
    }),
    defaultInputModes: union(cards.map(({ card }) => card.defaultInputModes)),
    defaultOutputModes: union([
      ['application/json', 'text/plain'],
      ...cards.map(({ card }) => card.defaultOutputModes),
    ]),
    skills,
  });
}
