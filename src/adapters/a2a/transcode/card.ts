// Agent cards across A2A versions (protobuf v0.3 <-> v1.0). Endpoints are the big difference:
// v0.3 has a card-level `url` + `preferred_transport` + `additional_interfaces` and one
// `protocol_version`; v1.0 has `supported_interfaces[]`, each with its own protocol version.
// The extended-card flag moves from the card (v0.3) to capabilities (v1.0). Security schemes,
// requirements, skills' security, providers, extensions and signatures have identical shapes and
// are bridged through ProtoJSON (v1.0-only parts such as the device-code OAuth flow are dropped).
import { create } from '@bufbuild/protobuf';
import * as v03 from '../gen/a2a/v0_3/a2a_pb.js';
import * as v1 from '../gen/a2a/v1_0/a2a_pb.js';
import { bridge } from './core.js';

/** "0.3.0" -> "0.3"; "1" -> "1.0"; "" stays "". */
export function majorMinor(version: string): string {
  const m = /^\s*(\d+)(?:\.(\d+))?/.exec(version);
  return m ? `${m[1]}.${m[2] ?? '0'}` : version.trim();
}

export function cardToV1(c: v03.AgentCard): v1.AgentCard {
  const version = majorMinor(c.protocolVersion) || '0.3';
  const interfaces: v1.AgentInterface[] = [];
  const add = (url: string, binding: string) => {
    if (!url || interfaces.some((i) => i.url === url && i.protocolBinding === binding)) return;
    interfaces.push(
      create(v1.AgentInterfaceSchema, { url, protocolBinding: binding, protocolVersion: version }),
    );
  };
  add(c.url, c.preferredTransport || 'JSONRPC');
  for (const i of c.additionalInterfaces) add(i.url, i.transport || 'JSONRPC');
  return create(v1.AgentCardSchema, {
    name: c.name,
    description: c.description,
    supportedInterfaces: interfaces,
    provider: c.provider ? bridge(v03.AgentProviderSchema, v1.AgentProviderSchema, c.provider) : undefined,
    version: c.version,
    documentationUrl: c.documentationUrl || undefined,
    capabilities: create(v1.AgentCapabilitiesSchema, {
      streaming: c.capabilities?.streaming ?? false,
      pushNotifications: c.capabilities?.pushNotifications ?? false,
      extensions: (c.capabilities?.extensions ?? []).map((e) =>
        bridge(v03.AgentExtensionSchema, v1.AgentExtensionSchema, e),
      ),
      extendedAgentCard: c.supportsAuthenticatedExtendedCard,
    }),
    securitySchemes: Object.fromEntries(
      Object.entries(c.securitySchemes).map(([k, s]) => [
        k,
        bridge(v03.SecuritySchemeSchema, v1.SecuritySchemeSchema, s),
      ]),
    ),
    securityRequirements: c.security.map((s) => bridge(v03.SecuritySchema, v1.SecurityRequirementSchema, s)),
    defaultInputModes: c.defaultInputModes,
    defaultOutputModes: c.defaultOutputModes,
    skills: c.skills.map((s) =>
      create(v1.AgentSkillSchema, {
        id: s.id,
        name: s.name,
        description: s.description,
        tags: s.tags,
        examples: s.examples,
        inputModes: s.inputModes,
        outputModes: s.outputModes,
        securityRequirements: s.security.map((r) =>
          bridge(v03.SecuritySchema, v1.SecurityRequirementSchema, r),
        ),
      }),
    ),
    signatures: c.signatures.map((s) => bridge(v03.AgentCardSignatureSchema, v1.AgentCardSignatureSchema, s)),
  });
}

export function cardToV03(c: v1.AgentCard): v03.AgentCard {
  // The preferred endpoint: the first v0.x interface, else the first interface.
  const main =
    c.supportedInterfaces.find((i) => majorMinor(i.protocolVersion).startsWith('0.')) ??
    c.supportedInterfaces[0];
  return create(v03.AgentCardSchema, {
    protocolVersion: '0.3.0',
    name: c.name,
    description: c.description,
    url: main?.url ?? '',
    preferredTransport: main?.protocolBinding ?? 'JSONRPC',
    // v0.3 interfaces carry no version: one entry per endpoint and transport.
    additionalInterfaces: c.supportedInterfaces
      .filter(
        (i, k, all) => all.findIndex((j) => j.url === i.url && j.protocolBinding === i.protocolBinding) === k,
      )
      .map((i) => create(v03.AgentInterfaceSchema, { url: i.url, transport: i.protocolBinding })),
    provider: c.provider ? bridge(v1.AgentProviderSchema, v03.AgentProviderSchema, c.provider) : undefined,
    version: c.version,
    documentationUrl: c.documentationUrl ?? '',
    capabilities: create(v03.AgentCapabilitiesSchema, {
      streaming: c.capabilities?.streaming ?? false,
      pushNotifications: c.capabilities?.pushNotifications ?? false,
      extensions: (c.capabilities?.extensions ?? []).map((e) =>
        bridge(v1.AgentExtensionSchema, v03.AgentExtensionSchema, e),
      ),
    }),
    securitySchemes: Object.fromEntries(
      Object.entries(c.securitySchemes).map(([k, s]) => [
        k,
        bridge(v1.SecuritySchemeSchema, v03.SecuritySchemeSchema, s),
      ]),
    ),
    security: c.securityRequirements.map((s) => bridge(v1.SecurityRequirementSchema, v03.SecuritySchema, s)),
    defaultInputModes: c.defaultInputModes,
    defaultOutputModes: c.defaultOutputModes,
    skills: c.skills.map((s) =>
      create(v03.AgentSkillSchema, {
        id: s.id,
        name: s.name,
        description: s.description,
        tags: s.tags,
        examples: s.examples,
        inputModes: s.inputModes,
        outputModes: s.outputModes,
        security: s.securityRequirements.map((r) =>
          bridge(v1.SecurityRequirementSchema, v03.SecuritySchema, r),
        ),
      }),
    ),
    supportsAuthenticatedExtendedCard: c.capabilities?.extendedAgentCard ?? false,
    signatures: c.signatures.map((s) => bridge(v1.AgentCardSignatureSchema, v03.AgentCardSignatureSchema, s)),
  });
}
